// The memory check every agent makes before it allocates: what its networks (with their
// gradients and optimizer state) and its buffers will take, against the memory it may use,
// refused with the settings that shrink it. One check for every algorithm, so that no size a
// user typed (net_arch, n_steps, buffer_size, an image observation) ends in std::bad_alloc or
// the OOM killer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rein::rl::internal {

// The machine's physical memory in bytes (0 if unknown).
double physical_memory_bytes();

// The memory an agent may use: `requested` bytes (AgentSetup::memory_bytes) when > 0, else the
// machine's physical memory.
double memory_budget(double requested);

// Weights and biases of an MLP in -> hidden... -> out (no output layer when out is 0), as
// nn::MLP builds it.
double mlp_parameters(int64_t in, const std::vector<int64_t>& hidden, int64_t out);
// Weights and biases of NatureCNN (rl/blocks/nature_cnn.h) on (C, H, W) images with
// `features_dim` outputs (0 for images it refuses: fewer than 3 dims or under 36 pixels).
double nature_cnn_parameters(const std::vector<int64_t>& image, int64_t features_dim);

// One thing an agent allocates: what it is (for the message), its bytes, and the settings that
// shrink it ("net_arch's widths", "buffer_size (e.g. --set buffer_size=1000)").
struct MemoryUse {
  std::string what;
  double bytes = 0;
  std::string lower;
};

// Networks of `parameters` weights and biases held `copies` times as float32; `held` names the
// copies ("value, gradient, Adam's two moments"). Lowered through net_arch.
MemoryUse network_memory(double parameters, int copies, const std::string& held);

// Throws rein::Error when `uses` together need more than `memory_bytes` (no check when it is 0:
// unknown): "ALGO: T GB for WHAT (X GB) and WHAT (Y GB), more than this machine's M GB of
// memory; lower SETTINGS", the largest use and its settings first (settings only of uses of at
// least 5% of the total).
void check_memory(const std::string& algo, const std::vector<MemoryUse>& uses, double memory_bytes);

}  // namespace rein::rl::internal
