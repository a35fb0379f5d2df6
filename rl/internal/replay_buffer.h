// ReplayBuffer: the off-policy agents' preallocated ring of transitions (DQN, SAC, TD3, DDPG),
// each observation stored once. Actions are a Discrete index (DQN) or a row of floats (Box).
//
// Every env of the vector env writes its own ring of `capacity / n_envs` slots in the order the
// env produced its observations. A slot holds an observation and, once the env stepped from it,
// the action, reward and end flags of that transition. The next observation of slot i is slot
// i + 1: after a normal step it is the next state; when the transition ended an episode, the
// episode's final observation (the vector env's final_obs) is written to slot i + 1 as a
// "final" slot that is never sampled, and the first observation of the next episode follows it.
// So truncated transitions bootstrap from their true final observation (Pardo et al. 2018, SB3
// handle_timeout_termination) and nothing is stored twice. The newest slot of a ring is
// "pending": the observation the env sits on, not yet acted on.
//
// Options: n-step returns (Sutton & Barto 7.1; Hessel et al. 2018, Rainbow) computed at sample
// time, stopping at episode ends and at the pending slot, and prioritized sampling (Schaul et al.
// 2016): P(i) ~ p_i^alpha over a sum tree, new transitions at the largest priority seen,
// importance weights (N P(i))^-beta divided by the batch's largest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "rl/internal/memory_budget.h"
#include "rl/internal/sum_tree.h"
#include "tensor/generator.h"
#include "tensor/state_io.h"
#include "tensor/tensor.h"

namespace rein::rl::internal {

struct ReplayOptions {
  int64_t capacity = 1'000'000;  // slots over all envs (SB3 buffer_size)
  int64_t n_envs = 1;
  int64_t obs_dim = 1;     // floats per observation as the network sees them
  int64_t one_hot = 0;     // > 0: store a Discrete observation's index, one-hot on sampling
  bool pixels = false;     // rows are pixels k / 255 (CnnPolicy): stored as the bytes k, as SB3
                           // keeps the observation dtype (a quarter of float32 rows' memory)
  int64_t n_actions = 1;   // Discrete actions are in [0, n_actions) (checked when loading)
  int64_t action_dim = 0;  // > 0: Box actions stored as rows of action_dim floats
  int64_t n_step = 1;
  double gamma = 0.99;
  bool prioritized = false;
  double alpha = 0.6;
  std::string owner = "dqn";  // names the agent in checkpoint errors ("dqn state: ...")
  double memory_bytes = 0;    // the memory the buffer may take (0: the machine's; memory_budget.h)
};

// The bytes one slot of a buffer of `options` takes (observation row, action, reward, flags and
// the sum tree's share when prioritized).
double replay_bytes_per_slot(const ReplayOptions& options);

// The buffer's share of a memory check: `options.capacity` slots, lowered through buffer_size
// (the message offers one that takes a quarter of `memory_bytes`).
MemoryUse replay_memory(const ReplayOptions& options, double memory_bytes);

// Throws rein::Error, with a buffer_size that fits, when `options.capacity` slots need more than
// `memory_bytes` (ReplayBuffer checks against memory_budget(options.memory_bytes) before it
// allocates).
void check_replay_fits_memory(const ReplayOptions& options, double memory_bytes);

// An observation row to store: obs_dim floats (one index when one_hot) or, with pixels, the
// bytes of the channel-first planes (the env's image, as ObsEncoder::pixels_row lays it out).
// Implicit, so callers pass a pointer (or nullptr for no row).
struct ObsRow {
  ObsRow(const float* f) : floats(f) {}   // NOLINT(google-explicit-constructor)
  ObsRow(const uint8_t* b) : bytes(b) {}  // NOLINT(google-explicit-constructor)
  ObsRow(std::nullptr_t) {}               // NOLINT(google-explicit-constructor)
  const float* floats = nullptr;
  const uint8_t* bytes = nullptr;
};

// A sampled batch; tensors are reused between calls (same shapes).
struct ReplayBatch {
  Tensor obs;        // (B, obs_dim) float32
  Tensor actions;    // (B, 1) int64, or (B, action_dim) float32 for Box actions
  Tensor returns;    // (B) float32: sum_{k<m} gamma^k r_{t+k}
  Tensor next_obs;   // (B, obs_dim) float32: the observation m steps later
  Tensor discounts;  // (B) float32: gamma^m, or 0 when the episode terminated within the m steps
  Tensor weights;    // (B) float32: importance weights (all 1 without prioritized replay)
  std::vector<int64_t> slots;  // sampled slots, for update_priorities
};

// Thread-safety: one thread at a time.
class ReplayBuffer {
 public:
  explicit ReplayBuffer(const ReplayOptions& options);

  // Starts env `env`'s stream at `obs` (the stored row, ObsRow: bytes with pixels, floats
  // otherwise): it becomes the pending slot. Call after every vector reset.
  void start(int64_t env, ObsRow obs);
  // Completes the pending slot of `env` with the step taken from it. `next_obs` is the step's
  // observation: the final observation when terminated || truncated, in which case `reset_obs`
  // is the first observation of the next episode (ignored otherwise).
  void add(int64_t env, int64_t action, float reward, bool terminated, bool truncated,
           ObsRow next_obs, ObsRow reset_obs);
  // The same for Box actions: `action` holds action_dim floats.
  void add(int64_t env, std::span<const float> action, float reward, bool terminated,
           bool truncated, ObsRow next_obs, ObsRow reset_obs);

  int64_t size() const { return transitions_; }  // sampleable transitions
  int64_t capacity() const { return n_envs_ * ring_; }

  // Samples `batch` transitions (uniformly, or by priority with importance exponent `beta`).
  // Throws rein::Error when the buffer holds no transition.
  void sample(int64_t batch, Generator& gen, double beta, ReplayBatch& out);
  // Sets the priorities of sampled slots from their TD errors: (|td| + eps)^alpha.
  void update_priorities(std::span<const int64_t> slots, std::span<const float> td_abs, double eps);

  // Checkpoint state (tensor/state_io.h; agents declare it as object "replay"): tensors obs
  // (float32 rows, or uint8 with pixels),
  // actions, rewards, flags (and priorities), the rings' positions and counts. Loading checks
  // every size, index, flag and count against this buffer (a crafted file must not write or
  // sample outside the rings); throws rein::Error naming the field and leaves the buffer
  // unchanged.
  void state(StateIO& io);

  // For tests: the stored row of a slot, its flags and n-step expansion.
  enum Flag : uint8_t { kValid = 1, kDone = 2, kTerminated = 4, kFinal = 8 };
  uint8_t flags(int64_t slot) const { return flags_[static_cast<size_t>(slot)]; }
  int64_t pending_slot(int64_t env) const { return env * ring_ + pos_[static_cast<size_t>(env)]; }
  // n-step expansion of a valid slot: return, discount and the slot to bootstrap from.
  struct NStep {
    double ret;
    double discount;
    int64_t next_slot;
  };
  NStep n_step_target(int64_t slot) const;

 private:
  void write_obs(int64_t env, ObsRow obs, uint8_t flags);  // into the pending slot
  void advance(int64_t env);  // the next slot of env's ring becomes the pending one
  void invalidate(int64_t slot);
  void mark_valid(int64_t slot);
  void copy_obs(int64_t slot, float* out) const;  // obs_dim floats (one-hot or / 255 expanded)
  void write_transition(int64_t env, float reward, bool terminated, bool truncated, ObsRow next_obs,
                        ObsRow reset_obs);

  ReplayOptions opt_;
  int64_t n_envs_, ring_, stored_dim_, action_width_;
  std::vector<float> obs_;       // (n_envs * ring, stored_dim); empty with pixels
  std::vector<uint8_t> pixels_;  // (n_envs * ring, stored_dim) with pixels; empty otherwise
  std::vector<float> actions_;   // (n_envs * ring, action_width): a Discrete index is exact
  std::vector<float> rewards_;
  std::vector<uint8_t> flags_;
  std::vector<int64_t> pos_;      // per env: index of the pending slot within its ring
  std::vector<int64_t> filled_;   // per env: slots written at least once (ring fills from 0)
  std::vector<uint8_t> started_;  // per env: start() was called
  int64_t transitions_ = 0;
  SumTree tree_;               // size 1 when not prioritized
  double max_priority_ = 1.0;  // largest |td| + eps seen (new transitions get it)
  std::vector<double> pow_gamma_;
};

}  // namespace rein::rl::internal
