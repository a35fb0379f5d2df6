// Every env's RGB frame (render_mode="rgb_array"): Gymnasium's frame sizes, and its colours at
// positions computed from Gymnasium's render geometry for a known state.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "base/error.h"
#include "envs/box2d/bipedal_walker.h"
#include "envs/box2d/lunar_lander.h"
#include "envs/internal/builtin.h"
#include "envs/registry.h"

namespace rein::envs {
namespace {

struct Rgb {
  int r, g, b;
  bool operator==(const Rgb&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Rgb& c) {
  return os << "(" << c.r << ", " << c.g << ", " << c.b << ")";
}

Rgb pixel(const RgbImage& img, int x, int y) {
  const uint8_t* p = img.at(x, y);
  return {p[0], p[1], p[2]};
}

// Gymnasium draws these frames on a surface with y up and flips it: the pixel holding the
// surface point (x, y) of a frame `height` pixels high.
Rgb at_surface(const RgbImage& img, double x, double y) {
  return pixel(img, static_cast<int>(std::floor(x)), static_cast<int>(std::floor(img.height - y)));
}

constexpr Rgb kWhite{255, 255, 255}, kBlack{0, 0, 0};

TEST(RenderRgb, CartPoleDrawsCartPoleAndAxleWhereGymnasiumDoes) {
  auto env = make("CartPole-v1", {{"render_mode", "rgb_array"}});
  EXPECT_EQ(env->spec()->render_mode, "rgb_array");
  env->reset(uint64_t{0});
  for (const double x : {0.0, -1.0, 1.7}) {
    for (const double theta : {0.0, 0.4, -0.2}) {
      env->unwrapped().set_state(std::vector<double>{x, 0.0, theta, 0.0});
      const RgbImage img = env->render_rgb();
      ASSERT_EQ(img.width, 600);
      ASSERT_EQ(img.height, 400);
      // Gymnasium: 125 px per metre, the cart's centre at (300 + 125 x, 100), 50 x 30 px; the
      // pole 10 px wide from 7.5 px above the cart's centre, 125 px long, turned by -theta.
      const double cart_x = 300 + 125 * x;
      EXPECT_EQ(at_surface(img, cart_x - 20, 110), kBlack);
      EXPECT_EQ(at_surface(img, cart_x - 30, 110), kWhite);
      const double along = 80;
      EXPECT_EQ(at_surface(img, cart_x + along * std::sin(theta), 107.5 + along * std::cos(theta)),
                (Rgb{202, 152, 101}))
          << "x " << x << " theta " << theta;
      // 12 px beside the pole's axis it is white again.
      EXPECT_EQ(at_surface(img, cart_x + along * std::sin(theta) + 12 * std::cos(theta),
                           107.5 + along * std::cos(theta) - 12 * std::sin(theta)),
                kWhite);
      EXPECT_EQ(at_surface(img, cart_x, 107.5), (Rgb{129, 132, 203}));
      EXPECT_EQ(at_surface(img, 10, 100), kBlack);  // the track
      EXPECT_EQ(at_surface(img, 10, 120), kWhite);
    }
  }
}

TEST(RenderRgb, PendulumAcrobotAndMountainCarFollowGymnasiumsGeometry) {
  auto pendulum = make("Pendulum-v1");
  pendulum->reset(uint64_t{0});
  pendulum->unwrapped().set_state(std::vector<double>{0.5, 0.0});
  RgbImage img = pendulum->render_rgb();
  ASSERT_EQ(img.width, 500);
  ASSERT_EQ(img.height, 500);
  // 500 / 4.4 px per unit; theta = 0 points up, positive turns counter-clockwise.
  const double s = 500 / 4.4;
  EXPECT_EQ(at_surface(img, 250 - 0.7 * s * std::sin(0.5), 250 + 0.7 * s * std::cos(0.5)),
            (Rgb{204, 77, 77}));
  EXPECT_EQ(at_surface(img, 250 + 0.7 * s * std::sin(0.5), 250 - 0.7 * s * std::cos(0.5)), kWhite);
  EXPECT_EQ(at_surface(img, 250, 250), kBlack);  // the axle

  auto acrobot = make("Acrobot-v1");
  acrobot->reset(uint64_t{0});
  acrobot->unwrapped().set_state(std::vector<double>{std::numbers::pi / 2, 0.0, 0.0, 0.0});
  img = acrobot->render_rgb();
  ASSERT_EQ(img.width, 500);
  // theta1 = pi/2 holds both links out to the right along the pivot's height.
  const double a = 500 / 4.4;
  EXPECT_EQ(at_surface(img, 250 + 0.5 * a, 250), (Rgb{0, 204, 204}));
  EXPECT_EQ(at_surface(img, 250 + 1.5 * a, 250), (Rgb{0, 204, 204}));
  EXPECT_EQ(at_surface(img, 250 + a, 250), (Rgb{204, 204, 0}));  // the middle joint
  EXPECT_EQ(at_surface(img, 250 + 0.5 * a, 250 + 0.15 * a), kWhite);
  EXPECT_EQ(at_surface(img, 20, 250 + a), kBlack);  // the goal height

  auto car = make("MountainCar-v0");
  car->reset(uint64_t{0});
  car->unwrapped().set_state(std::vector<double>{-0.5, 0.0});
  img = car->render_rgb();
  ASSERT_EQ(img.width, 600);
  ASSERT_EQ(img.height, 400);
  const double scale = 600 / 1.8;
  auto height = [](double x) { return std::sin(3 * x) * 0.45 + 0.55; };
  // The car body sits 10 px above the track, 20 px high; the flag at the goal 0.5.
  EXPECT_EQ(at_surface(img, (-0.5 + 1.2) * scale, height(-0.5) * scale + 10 + 15), kBlack);
  EXPECT_EQ(at_surface(img, (-0.5 + 1.2) * scale, height(-0.5) * scale + 10 + 30), kWhite);
  const double flag_x = std::trunc((0.5 + 1.2) * scale),
               flag_y = std::trunc(height(0.5) * scale) + 45;
  EXPECT_EQ(at_surface(img, flag_x + 5, flag_y), (Rgb{204, 204, 0}));
}

TEST(RenderRgb, ToyTextFramesHaveGymnasiumsSizesAndLayout) {
  auto lake = make("FrozenLake-v1", {{"is_slippery", "false"}});
  lake->reset(uint64_t{0});
  RgbImage img = lake->render_rgb();
  ASSERT_EQ(img.width, 256);
  ASSERT_EQ(img.height, 256);
  EXPECT_EQ(pixel(img, 0, 30), (Rgb{180, 200, 230}));     // each cell's 1 px border
  EXPECT_EQ(pixel(img, 96, 96), (Rgb{33, 80, 140}));      // the hole at row 1, column 1
  EXPECT_EQ(pixel(img, 32, 42), (Rgb{67, 160, 71}));      // the elf on the start
  lake->unwrapped().set_state(std::vector<double>{5.0});  // fell into that hole
  img = lake->render_rgb();
  EXPECT_NE(pixel(img, 96, 106), (Rgb{67, 160, 71}));  // a cracked hole, no elf
  EXPECT_NE(pixel(img, 32, 42), (Rgb{67, 160, 71}));   // and is no longer on the start
  EXPECT_EQ(make("FrozenLake8x8-v1")->render_rgb().width, 512);

  auto cliff = make("CliffWalking-v1");
  cliff->reset(uint64_t{0});
  img = cliff->render_rgb();
  ASSERT_EQ(img.width, 720);
  ASSERT_EQ(img.height, 240);
  EXPECT_EQ(pixel(img, 330, 185), (Rgb{78, 52, 46}));  // the cliff, row 3 column 5
  EXPECT_EQ(pixel(img, 30, 222), (Rgb{67, 160, 71}));  // the elf on the start (row 3, column 0)

  auto taxi = make("Taxi-v3");
  taxi->reset(uint64_t{0});
  taxi->unwrapped().set_state(std::vector<double>{double(((2 * 5 + 2) * 5 + 4) * 4 + 3)});
  img = taxi->render_rgb();
  ASSERT_EQ(img.width, 550);
  ASSERT_EQ(img.height, 350);
  // R, the landmark at (0, 0): map cell (1, 1) tinted red at alpha 128, 10 px lower.
  const int road = 189;
  EXPECT_EQ(pixel(img, 55, 105), (Rgb{(255 * 128 + road * 127 + 127) / 255,
                                      (road * 127 + 127) / 255, (road * 127 + 127) / 255}));
  EXPECT_EQ(pixel(img, 55, 55), (Rgb{road, road, road}));
  EXPECT_EQ(pixel(img, 25, 75), (Rgb{85, 139, 47}));  // the border's median

  auto blackjack = make("Blackjack-v1");
  blackjack->reset(uint64_t{0});
  img = blackjack->render_rgb();
  ASSERT_EQ(img.width, 600);
  ASSERT_EQ(img.height, 500);
  EXPECT_EQ(pixel(img, 5, 5), (Rgb{7, 99, 36}));
  EXPECT_EQ(pixel(img, 26, 26), kWhite);  // "Dealer" starts at (25, 25)
}

TEST(RenderRgb, LunarLanderDrawsSkyGroundLanderAndFlags) {
  internal::LunarLander env(internal::LunarLanderConfig{});
  env.reset(uint64_t{3});
  for (int i = 0; i < 20; ++i) env.step(0);
  const RgbImage img = env.render_rgb();
  ASSERT_EQ(img.width, 600);
  ASSERT_EQ(img.height, 400);
  EXPECT_EQ(at_surface(img, 5, 395), kBlack);  // sky
  EXPECT_EQ(at_surface(img, 300, 5), kWhite);  // ground under the pad (at 100 px)
  EXPECT_EQ(at_surface(img, 300, 95), kWhite);
  EXPECT_EQ(at_surface(img, 300, 105), kBlack);
  const auto s = env.body_state();
  EXPECT_EQ(at_surface(img, s.x * 30, s.y * 30), (Rgb{128, 102, 230}));
  // Flags at x = 8 and 12 world units: white 50 px poles from the pad, yellow 25 x 10 px flags.
  EXPECT_EQ(at_surface(img, 240.5, 125), kWhite);
  EXPECT_EQ(at_surface(img, 245, 145), (Rgb{204, 204, 0}));
  EXPECT_EQ(at_surface(img, 365, 145), (Rgb{204, 204, 0}));
}

TEST(RenderRgb, BipedalWalkerDrawsTerrainSkyHullAndFollowsIt) {
  internal::BipedalWalker env(false);
  env.reset(uint64_t{1});
  RgbImage img = env.render_rgb();
  ASSERT_EQ(img.width, 600);
  ASSERT_EQ(img.height, 400);
  auto hull = env.hull_state();
  double left = std::max(0.0, hull.x - 4.0);
  EXPECT_EQ(at_surface(img, (hull.x - left) * 30, hull.y * 30), (Rgb{127, 51, 229}));
  EXPECT_EQ(at_surface(img, 10, 50), (Rgb{102, 153, 76}));  // under the flat start pad
  EXPECT_EQ(at_surface(img, 10, 150), (Rgb{215, 215, 255}));
  // Walk (any actions): the frame scrolls with the hull, which stays 4 units from its left edge.
  const float push[4] = {1, -1, 1, -1};
  for (int i = 0; i < 60; ++i) env.step(std::span<const float>(push));
  img = env.render_rgb();
  hull = env.hull_state();
  left = std::max(0.0, hull.x - 4.0);
  EXPECT_EQ(at_surface(img, (hull.x - left) * 30, hull.y * 30), (Rgb{127, 51, 229}));
}

TEST(RenderRgb, EveryBuiltInEnvRendersAFrame) {
  Registry builtins;  // other tests register envs of their own in the global registry
  internal::register_classic_control(builtins);
  internal::register_toy_text(builtins);
  internal::register_box2d(builtins);
  ASSERT_GE(builtins.specs().size(), 15u);
  for (const EnvSpec& spec : builtins.specs()) {
    auto env = builtins.make(spec.id);
    env->reset(uint64_t{0});
    const RgbImage img = env->render_rgb();
    EXPECT_GT(img.width, 0) << spec.id;
    EXPECT_EQ(img.pixels.size(), size_t(img.width) * size_t(img.height) * 3) << spec.id;
  }
}

TEST(RenderRgb, RenderModeIsCheckedAtMake) {
  EXPECT_EQ(make("FrozenLake-v1", {{"render_mode", "ansi"}})->spec()->render_mode, "ansi");
  try {
    make("CartPole-v1", {{"render_mode", "human"}});
    FAIL() << "render_mode=human accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("rgb_array"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("human"), std::string::npos) << e.what();
  }
  EXPECT_THROW(make("CartPole-v1", {{"render_mode", "ansi"}}), Error);  // no text frames
}

}  // namespace
}  // namespace rein::envs
