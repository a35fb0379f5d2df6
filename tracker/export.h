// Export of runs (metadata, params, and every metric point) as CSV or JSON, for `rein runs export`
// and the dashboard's save button.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "tracker/store.h"

namespace rein::tracker {

enum class ExportFormat { Csv, Json };

// "csv" or "json"; throws Error otherwise.
ExportFormat parse_export_format(const std::string& text);

// CSV: one row per metric point, columns run_id,run_name,key,step,wall_time,value (RFC 4180
// quoting). JSON: an array of runs, each with its fields, params, tags and
// "metrics": {key: [[step, wall_time, value], ...]}. Every stored point, no downsampling.
void export_runs(Store& store, const std::vector<std::int64_t>& run_ids, ExportFormat format,
                 std::ostream& out);

}  // namespace rein::tracker
