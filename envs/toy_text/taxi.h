// Taxi-v4 (Gymnasium 1.4; Dietterich 2000), registered also as Taxi-v3, whose default dynamics
// are identical: drive to the passenger on a 5 x 5 grid with walls, pick them up, drop them off
// at their destination landmark.
#pragma once

#include <array>
#include <cstdint>
#include <utility>

#include "envs/toy_text/tabular_env.h"

namespace rein::envs {

// Observation Discrete(500), s = ((row * 5 + col) * 5 + passenger) * 4 + destination, passenger
// 0-3 waiting at landmark R, G, Y, B and 4 in the taxi. Actions Discrete(6): 0 south, 1 north,
// 2 east, 3 west, 4 pickup, 5 dropoff. Reward -1 per step, +20 for the delivery (terminates),
// -10 for an illegal pickup/dropoff; dropping the passenger at another landmark is legal (-1).
// Reset: uniform over the 300 states with the passenger waiting away from the destination.
// info: "prob" and "action_mask", a Bool tensor of shape (6,) flagging the actions that change
// the state (Gymnasium's int8 mask).
// Kwargs: is_rainy (moves succeed with 0.8, else slide to one of the two lateral cells with 0.1
// each; blocked moves do not slide), fickle_passenger (with probability 0.3 per episode, the
// first move after the passenger boards re-draws the destination among the other three).
class Taxi : public TabularEnv {
 public:
  explicit Taxi(const Kwargs& kwargs = {});
  Taxi(bool is_rainy, bool fickle_passenger);

  static int64_t encode(int row, int col, int passenger, int destination);
  // {row, col, passenger, destination}
  static std::array<int, 4> decode(int64_t s);
  // The mask of info["action_mask"] for state s, as 0/1 values.
  static std::array<int8_t, 6> action_mask(int64_t s);

  void render(DrawList& out) const override;
  // Gymnasium's "ansi" frame: the text map with the taxi highlighted (yellow when empty, green
  // with the passenger aboard), the waiting passenger in bold blue, the destination in magenta,
  // then the last action in parentheses.
  std::string render_text() const override;
  RenderInfo render_info() const override { return {.draws = true, .text = true, .fps = 4}; }

 protected:
  void after_reset() override;
  int64_t after_step(int64_t from, int64_t to) override;
  void fill_info(double prob) override;

 private:
  explicit Taxi(std::pair<bool, bool> flags);  // from the kwargs, parsed once

  bool is_rainy_;
  bool fickle_passenger_;
  bool fickle_step_ = false;  // this episode's passenger will change their mind
  Tensor mask_;               // Bool (6,), reused
};

}  // namespace rein::envs
