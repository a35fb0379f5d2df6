// The memory budget of the agents (rl/internal/memory_budget.h).
#include "rl/internal/memory_budget.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "base/error.h"

namespace rein::rl::internal {

double physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return 0;
  return static_cast<double>(pages) * static_cast<double>(page);
}

double memory_budget(double requested) {
  return requested > 0 ? requested : physical_memory_bytes();
}

double mlp_parameters(int64_t in, const std::vector<int64_t>& hidden, int64_t out) {
  double n = 0;
  for (int64_t width : hidden) {
    n += static_cast<double>(in + 1) * static_cast<double>(width);
    in = width;
  }
  if (out > 0) n += static_cast<double>(in + 1) * static_cast<double>(out);
  return n;
}

double nature_cnn_parameters(const std::vector<int64_t>& image, int64_t features_dim) {
  if (image.size() != 3 || image[1] < 36 || image[2] < 36) return 0;
  // Conv2d(C, 32, 8, stride 4), Conv2d(32, 64, 4, stride 2), Conv2d(64, 64, 3, stride 1), then
  // Linear(64 h w, features_dim); each output side is (side - kernel) / stride + 1.
  const int64_t channels[4] = {image[0], 32, 64, 64}, kernels[3] = {8, 4, 3},
                strides[3] = {4, 2, 1};
  int64_t h = image[1], w = image[2];
  double n = 0;
  for (int i = 0; i < 3; ++i) {
    n += static_cast<double>(channels[i] * kernels[i] * kernels[i] + 1) *
         static_cast<double>(channels[i + 1]);
    h = (h - kernels[i]) / strides[i] + 1;
    w = (w - kernels[i]) / strides[i] + 1;
  }
  return n + static_cast<double>(64 * h * w + 1) * static_cast<double>(features_dim);
}

MemoryUse network_memory(double parameters, int copies, const std::string& held) {
  return {str("networks of ", static_cast<int64_t>(parameters), " parameters held ", copies,
              " times (", held, ")"),
          static_cast<double>(copies) * sizeof(float) * parameters, "net_arch's widths"};
}

// "131072 bytes", "13.8 MB", "275 GB": exact below a megabyte (small budgets differ by a
// byte), three significant digits above.
static std::string memory_text(double bytes) {
  if (bytes < 1e6) return str(static_cast<int64_t>(bytes), " bytes");
  const char* units[] = {"MB", "GB", "TB", "PB"};
  int u = 0;
  for (bytes /= 1e6; bytes >= 999.5 && u < 3; ++u) bytes /= 1e3;
  char text[32];
  std::snprintf(text, sizeof text, "%.3g %s", bytes, units[u]);
  return text;
}

void check_memory(const std::string& algo, const std::vector<MemoryUse>& uses,
                  double memory_bytes) {
  double total = 0;
  for (const MemoryUse& u : uses) total += u.bytes;
  if (memory_bytes <= 0 || total <= memory_bytes) return;
  std::vector<const MemoryUse*> largest;
  for (const MemoryUse& u : uses) largest.push_back(&u);
  std::stable_sort(largest.begin(), largest.end(),
                   [](const MemoryUse* a, const MemoryUse* b) { return a->bytes > b->bytes; });
  std::string parts;
  std::vector<std::string> lower;
  for (const MemoryUse* u : largest) {
    parts += str(parts.empty() ? "" : " and ", u->what, " (", memory_text(u->bytes), ")");
    // The settings of a part below 5% of the total would not help.
    if (u->bytes >= 0.05 * total && !u->lower.empty() &&
        std::find(lower.begin(), lower.end(), u->lower) == lower.end())
      lower.push_back(u->lower);
  }
  std::string settings;
  for (size_t i = 0; i < lower.size(); ++i)
    settings += str(i == 0 ? "" : i + 1 == lower.size() ? ", or " : ", ", lower[i]);
  throw Error(str(algo, ": ", memory_text(total), " for ", parts, ", more than this machine's ",
                  memory_text(memory_bytes), " of memory; lower ", settings));
}

}  // namespace rein::rl::internal
