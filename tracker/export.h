// Export of runs (metadata, params, and every metric point) as CSV or JSON, for `rein runs export`
// and the dashboard's save button.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "tracker/group_statistics.h"
#include "tracker/store.h"

namespace rein::tracker {

enum class ExportFormat { Csv, Json };

// "csv" or "json"; throws Error otherwise.
ExportFormat parse_export_format(const std::string& text);

// CSV: one row per metric point, columns run_id,run_name,algorithm,env,seed,key,step,wall_time,
// value (RFC 4180 quoting; numbers in the shortest text that reads back exactly; an empty seed
// when the run has none). JSON: an array of runs in run_json's shape (tracker/run_facts.h) with
// "metrics": {key: [[step, wall_time, value], ...]}. Every stored point, no downsampling.
// `metrics` keeps only those keys (empty: every key). Throws Error for an unknown run id.
void export_runs(Store& store, const std::vector<std::int64_t>& run_ids, ExportFormat format,
                 std::ostream& out, const std::vector<std::string>& metrics = {});

// Grouped runs' aggregates (tracker/group_statistics.h) instead of their points. CSV: one row
// per group and metric, columns group,metric,runs,envs,mean,std,mean_lo,mean_hi,median,
// median_lo,median_hi,iqm,iqm_lo,iqm_hi (envs joined by ';', an empty cell for a NaN). JSON:
// group_statistics_json's object.
void export_group_statistics(const std::vector<GroupStatistics>& groups,
                             const BootstrapOptions& options, ExportFormat format,
                             std::ostream& out);

}  // namespace rein::tracker
