// The software rasteriser: exact pixel-centre coverage, shared edges drawn once, lines, circles,
// outlines, text, blending, the viewport's orientation, and hostile input.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>

#include "base/error.h"
#include "envs/render.h"

namespace rein::envs {
namespace {

constexpr Color kWhite{255, 255, 255, 255};
constexpr Color kRed{255, 0, 0, 255};

// A frame whose world units are pixels: x right, y up from the bottom row.
DrawList pixel_frame(int w, int h) {
  DrawList frame;
  frame.set_viewport({0.0, double(w), 0.0, double(h), w, h});
  frame.set_background(kWhite);
  return frame;
}

bool is(const RgbImage& img, int x, int y, Color c) {
  const uint8_t* p = img.at(x, y);
  return p[0] == c.r && p[1] == c.g && p[2] == c.b;
}

int count(const RgbImage& img, Color c) {
  int n = 0;
  for (int y = 0; y < img.height; ++y) {
    for (int x = 0; x < img.width; ++x) n += is(img, x, y, c);
  }
  return n;
}

TEST(Raster, SizeAndBackgroundComeFromTheViewport) {
  DrawList frame = pixel_frame(7, 5);
  frame.set_background({1, 2, 3, 255});
  const RgbImage img = rasterize(frame);
  EXPECT_EQ(img.width, 7);
  EXPECT_EQ(img.height, 5);
  EXPECT_EQ(img.pixels.size(), 7u * 5u * 3u);
  EXPECT_EQ(count(img, {1, 2, 3, 255}), 35);
}

TEST(Raster, FilledRectCoversExactlyThePixelsWhoseCentresItContains) {
  DrawList frame = pixel_frame(10, 10);
  frame.rect({2, 3}, {5, 7}, kRed);  // world y 3..7 is rows 3..6 counted from the top (10 - 7)
  const RgbImage img = rasterize(frame);
  for (int y = 0; y < 10; ++y) {
    for (int x = 0; x < 10; ++x) {
      const bool inside = x >= 2 && x < 5 && y >= 3 && y < 7;
      EXPECT_EQ(is(img, x, y, kRed), inside) << x << "," << y;
    }
  }
}

TEST(Raster, WorldYPointsUp) {
  DrawList frame;
  frame.set_viewport({-1.0, 1.0, 0.0, 4.0, 2, 4});
  frame.rect({-1, 0}, {1, 1}, kRed);  // the bottom quarter of the world
  const RgbImage img = rasterize(frame);
  EXPECT_TRUE(is(img, 0, 3, kRed));
  EXPECT_TRUE(is(img, 1, 3, kRed));
  EXPECT_EQ(count(img, kRed), 2);
}

TEST(Raster, PolygonsSharingAnEdgeNeitherOverlapNorLeaveAGap) {
  // A square split along a diagonal into two triangles of half-transparent red: a pixel drawn
  // twice would be redder, a gap would stay white.
  DrawList frame = pixel_frame(40, 40);
  const Color half{255, 0, 0, 128};
  frame.polygon({{5.3, 4.1}, {33.7, 6.2}, {30.2, 35.9}}, half);
  frame.polygon({{5.3, 4.1}, {30.2, 35.9}, {3.9, 31.4}}, half);
  const RgbImage img = rasterize(frame);
  const uint8_t once = static_cast<uint8_t>((0 * 128 + 255 * 127 + 127) / 255);
  int covered = 0;
  for (int y = 0; y < 40; ++y) {
    for (int x = 0; x < 40; ++x) {
      const uint8_t g = img.at(x, y)[1];
      EXPECT_TRUE(g == 255 || g == once) << "pixel " << x << "," << y << " green " << int(g);
      covered += g == once;
    }
  }
  // The quadrilateral's area (shoelace) and the sampled area agree closely.
  EXPECT_NEAR(covered,
              0.5 * std::abs((33.7 - 5.3) * (35.9 - 4.1) - (30.2 - 5.3) * (6.2 - 4.1)) +
                  0.5 * std::abs((30.2 - 5.3) * (31.4 - 4.1) - (3.9 - 5.3) * (35.9 - 4.1)),
              25);
}

TEST(Raster, ConcavePolygonsFillByTheEvenOddRule) {
  DrawList frame = pixel_frame(20, 20);
  // A "U": the notch between the arms stays empty.
  frame.polygon({{2, 2}, {18, 2}, {18, 18}, {14, 18}, {14, 6}, {6, 6}, {6, 18}, {2, 18}}, kRed);
  const RgbImage img = rasterize(frame);
  EXPECT_TRUE(is(img, 3, 5, kRed));     // left arm (world y 14.5)
  EXPECT_TRUE(is(img, 16, 5, kRed));    // right arm
  EXPECT_TRUE(is(img, 10, 5, kWhite));  // the notch
  EXPECT_TRUE(is(img, 10, 16, kRed));   // the base (world y 3.5)
}

TEST(Raster, CirclesFillTheirDiscAndOutlinesLieInside) {
  DrawList frame = pixel_frame(60, 60);
  frame.circle({30, 30}, 20, kRed);
  RgbImage img = rasterize(frame);
  EXPECT_NEAR(count(img, kRed), std::numbers::pi * 400, 0.02 * std::numbers::pi * 400);
  EXPECT_TRUE(is(img, 30, 30, kRed));
  EXPECT_TRUE(is(img, 49, 29, kRed));    // centre 49.5 is 19.5 from 30
  EXPECT_TRUE(is(img, 50, 29, kWhite));  // 20.5 away
  frame.clear();
  frame.circle({30, 30}, 20, kRed, false);  // 1 px ring just inside the radius
  img = rasterize(frame);
  EXPECT_TRUE(is(img, 30, 29, kWhite));
  EXPECT_TRUE(is(img, 49, 29, kRed));
  EXPECT_TRUE(is(img, 48, 29, kWhite));
}

TEST(Raster, ThinLinesStepOnePixelAlongTheMajorAxis) {
  DrawList frame = pixel_frame(30, 20);
  frame.line({0.5, 2.5}, {29.5, 17.5}, kRed);  // x is the major axis
  const RgbImage img = rasterize(frame);
  for (int x = 0; x < 30; ++x) {
    int in_column = 0;
    for (int y = 0; y < 20; ++y) in_column += is(img, x, y, kRed);
    EXPECT_EQ(in_column, 1) << "column " << x;
  }
  EXPECT_TRUE(is(img, 0, 17, kRed));  // world y 2.5 is row 17
  EXPECT_TRUE(is(img, 29, 2, kRed));
}

TEST(Raster, ThickLinesAreFilledQuads) {
  DrawList frame = pixel_frame(30, 20);
  frame.line({5, 10}, {25, 10}, kRed, 4.0);  // world y 8..12: rows 8..11
  const RgbImage img = rasterize(frame);
  EXPECT_EQ(count(img, kRed), 20 * 4);
  EXPECT_TRUE(is(img, 5, 8, kRed));
  EXPECT_TRUE(is(img, 24, 11, kRed));
  EXPECT_TRUE(is(img, 25, 10, kWhite));
}

TEST(Raster, RectOutlinesLieInsideTheRect) {
  DrawList frame = pixel_frame(20, 20);
  frame.rect({2, 2}, {12, 10}, kRed, false, 2.0);
  const RgbImage img = rasterize(frame);
  EXPECT_EQ(count(img, kRed), 10 * 8 - 6 * 4);  // the frame of a 10x8 rect two pixels wide
  EXPECT_TRUE(is(img, 2, 10, kRed));
  EXPECT_TRUE(is(img, 4, 12, kWhite));  // inside
}

TEST(Raster, TextUsesTheBitmapFontScaledByWholePixels) {
  DrawList frame = pixel_frame(40, 20);
  frame.text({1, 19}, "I", kRed, 8.0);  // 8 px a line: scale 1, top-left at pixel (1, 1)
  RgbImage img = rasterize(frame);
  // 'I': a 3-pixel bar on rows 0 and 6, a 1-pixel stem between (glyph columns 1..3).
  EXPECT_EQ(count(img, kRed), 3 + 3 + 5);
  EXPECT_TRUE(is(img, 2, 1, kRed));
  EXPECT_TRUE(is(img, 3, 4, kRed));
  EXPECT_TRUE(is(img, 2, 4, kWhite));
  frame = pixel_frame(40, 40);
  frame.text({1, 39}, "I\nI", kRed, 16.0);  // scale 2, a second line 16 px lower
  img = rasterize(frame);
  EXPECT_EQ(count(img, kRed), 2 * 4 * 11);
  EXPECT_TRUE(is(img, 6, 17, kRed));  // second line's stem: x 1 + 2*2 .. , y 1 + 16
}

TEST(Raster, TranslucentColoursBlendOverWhatIsBelow) {
  DrawList frame = pixel_frame(4, 4);
  frame.rect({0, 0}, {4, 4}, {0, 0, 255, 255});
  frame.rect({0, 0}, {4, 4}, {255, 0, 0, 64});
  const RgbImage img = rasterize(frame);
  EXPECT_EQ(img.at(1, 1)[0], (255 * 64 + 0 * 191 + 127) / 255);
  EXPECT_EQ(img.at(1, 1)[2], (0 * 64 + 255 * 191 + 127) / 255);
}

TEST(Raster, ShapesOutsideTheFrameAndNonFiniteCoordinatesAreClipped) {
  DrawList frame = pixel_frame(10, 10);
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  frame.polygon({{-1e12, -5}, {1e12, -5}, {0, 1e12}}, kRed);  // covers everything
  frame.line({nan, 0}, {5, 5}, {0, 0, 255, 255}, 3.0);
  frame.line({-inf, 0}, {inf, 5}, {0, 0, 255, 255});
  frame.circle({nan, 5}, 3, {0, 0, 255, 255});
  frame.rect({-1e300, -1e300}, {1e300, 1e300}, kRed, false);
  frame.text({1e300, 5}, "far away", kRed);
  const RgbImage img = rasterize(frame);
  EXPECT_EQ(img.width, 10);
  EXPECT_TRUE(is(img, 5, 5, kRed));
}

TEST(Raster, ViewportsWithoutAreaOrTooLargeAreRejected) {
  DrawList frame;
  frame.set_viewport({0.0, 0.0, 0.0, 1.0, 10, 10});
  EXPECT_THROW(rasterize(frame), Error);
  frame.set_viewport({0.0, 1.0, 0.0, 1.0, 0, 10});
  EXPECT_THROW(rasterize(frame), Error);
  frame.set_viewport({0.0, 1.0, 0.0, 1.0, 100000, 10});
  EXPECT_THROW(rasterize(frame), Error);
}

TEST(Raster, ReusedImagesAreResizedToEachFrame) {
  RgbImage img;
  DrawList big = pixel_frame(30, 20);
  rasterize(big, img);
  DrawList small = pixel_frame(3, 2);
  rasterize(small, img);
  EXPECT_EQ(img.width, 3);
  EXPECT_EQ(img.pixels.size(), 18u);
}

}  // namespace
}  // namespace rein::envs
