// Image observations over the remote protocol: a served CarRacing-v3 (uint8 frames, dtype code
// 4) gives the same spaces and the same frames, byte for byte, as the env in process.
#include <gtest/gtest.h>

#include <algorithm>

#include "envs/registry.h"
#include "envs/remote/remote_env.h"
#include "envs/remote/server.h"

namespace rein::envs::remote {
namespace {

TEST(RemoteImages, ServedCarRacingFramesMatchInProcess) {
  Server server(ServerOptions{.env_id = "CarRacing-v3", .env_kwargs = {{"continuous", "false"}}});
  server.start();
  auto remote = make_env(str("remote://127.0.0.1:", server.port()));
  auto local = make("CarRacing-v3", {{"continuous", "false"}});
  EXPECT_EQ(remote->observation_space(), local->observation_space());
  EXPECT_EQ(remote->observation_space().to_string(), "Box(0, 255, (96, 96, 3), uint8)");
  auto same = [](const Tensor& a, const Tensor& b) {
    return a.dtype() == Dtype::UInt8 && b.dtype() == Dtype::UInt8 && a.numel() == b.numel() &&
           std::equal(a.data<uint8_t>(), a.data<uint8_t>() + a.numel(), b.data<uint8_t>());
  };
  ASSERT_TRUE(same(remote->reset(9).obs, local->reset(9).obs));
  for (int t = 0; t < 20; ++t) {
    const int64_t a = t % 5;
    const StepResult r = remote->step(a);
    const StepResult l = local->step(a);
    ASSERT_TRUE(same(r.obs, l.obs)) << "step " << t;
    ASSERT_EQ(r.reward, l.reward) << "step " << t;
  }
}

}  // namespace
}  // namespace rein::envs::remote
