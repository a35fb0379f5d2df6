// The envs one client session owns on the server, stepped one after another into a Batch, with
// optional same-step autoreset (the semantics of envs::VectorEnv). No sockets here: the server
// and the tests drive it directly.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "envs/env.h"
#include "envs/remote/protocol.h"

namespace rein::envs::remote::internal {

class EnvGroup {
 public:
  // Takes ownership; throws rein::Error if `envs` is empty or their spaces differ.
  EnvGroup(std::vector<std::unique_ptr<Env>> envs, bool autoreset);

  // The handshake answer describing these envs (id, spaces, spec metadata).
  Welcome welcome(uint32_t max_frame_bytes) const;
  const Layout& layout() const { return layout_; }

  // Resets every env (env i with seed + i). Throws what an env throws.
  const Batch& reset(const ResetRequest& request);
  // actions as make_action_buffer(layout()). Throws rein::Error before the first reset and
  // whatever an env throws (an invalid action); envs before the failing one have stepped.
  const Batch& step(const Tensor& actions);

 private:
  void copy_row(const Tensor& obs, Tensor& rows, int64_t i) const;

  std::vector<std::unique_ptr<Env>> envs_;
  Layout layout_;
  Batch batch_;
  bool needs_reset_ = true;
};

}  // namespace rein::envs::remote::internal
