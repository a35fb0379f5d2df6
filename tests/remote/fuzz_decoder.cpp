// libFuzzer entry for the remote-env frame decoder (clang only; CI runs the bounded randomized
// fuzz_test.cpp instead). Build: -DCMAKE_CXX_COMPILER=clang++ -DREIN_FUZZ=ON, then
//   ./bin/rein_remote_fuzz -max_total_time=60
// The first input byte picks the layout; the rest is one frame after its length prefix.
#include <cstddef>
#include <cstdint>

#include "envs/remote/protocol.h"

using namespace rein::envs::remote;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Layout layouts[] = {
      [] {
        Welcome w;
        w.observation_space = rein::envs::Box(-1.0, 1.0, rein::Shape{4});
        w.action_space = rein::envs::Discrete(2);
        return Layout(w);
      }(),
      [] {
        Welcome w;
        w.num_envs = 3;
        w.autoreset = true;
        w.observation_space = rein::envs::Discrete(5);
        w.action_space = rein::envs::MultiDiscrete({2, 3});
        return Layout(w);
      }(),
  };
  if (size < 1) return 0;
  static Frame frame;
  const Layout* layout = data[0] % 3 == 2 ? nullptr : &layouts[data[0] % 3];
  try {
    decode_frame(std::span<const uint8_t>(data + 1, size - 1), layout, frame);
  } catch (const ProtocolError&) {
  }
  return 0;
}
