// Backend-neutral drawing: an env describes a frame as a list of shapes in world coordinates
// (lines, rectangles, circles, polygons, text) inside a viewport; a front end (the dashboard's
// ImGui canvas, a test, a text dump) maps the viewport onto its pixels and draws them.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace rein::envs {

struct Color {
  uint8_t r = 0, g = 0, b = 0, a = 255;
};

struct Point {
  double x = 0.0, y = 0.0;
};

// The world rectangle to show and the frame's pixel size (aspect ratio hint). World y points
// up; front ends flip it for screens.
struct Viewport {
  double x_min = 0.0, x_max = 1.0, y_min = 0.0, y_max = 1.0;
  int width_px = 600, height_px = 400;
};

enum class ShapeKind : uint8_t { Line, Rect, Circle, Polygon, Text };

// One drawn shape. Which fields matter depends on kind:
//   Line: points[0..1], width.  Rect: points[0] (min corner), points[1] (max corner).
//   Circle: points[0] (centre), radius.  Polygon: points (closed, in order).
//   Text: points[0] (top-left anchor), text (may hold '\n'), size (world units per line).
// `filled` applies to Rect, Circle, Polygon; `width` is the outline width in pixels.
struct DrawShape {
  ShapeKind kind = ShapeKind::Line;
  Color color;
  bool filled = true;
  double width = 1.0;
  double radius = 0.0;
  double size = 0.0;
  std::vector<Point> points;
  std::string text;
};

// A frame under construction. Env::render() clears nothing itself: callers clear() between
// frames, which keeps every shape's storage, so a frame drawn again with add_polygon() (and
// point/text sizes within what it held before) does not allocate.
class DrawList {
 public:
  void clear() { count_ = 0; }
  void set_viewport(const Viewport& v) { viewport_ = v; }
  void set_background(Color c) { background_ = c; }

  void line(Point a, Point b, Color color, double width_px = 1.0);
  void rect(Point min_corner, Point max_corner, Color color, bool filled = true,
            double width_px = 1.0);
  void circle(Point centre, double radius, Color color, bool filled = true);
  void polygon(std::vector<Point> points, Color color, bool filled = true);
  // A polygon whose points the caller appends to the returned (empty) list, which reuses the
  // storage of an earlier frame's shape in the same slot.
  std::vector<Point>& add_polygon(Color color, bool filled = true);
  void text(Point top_left, std::string text, Color color, double size = 0.0);

  const Viewport& viewport() const { return viewport_; }
  Color background() const { return background_; }
  std::span<const DrawShape> shapes() const { return {shapes_.data(), count_}; }

 private:
  // The next slot, reset to a default shape of `kind` but keeping its points' and text's
  // storage.
  DrawShape& next(ShapeKind kind, Color color);
  Viewport viewport_;
  Color background_{255, 255, 255, 255};
  std::vector<DrawShape> shapes_;  // slots [0, count_) are the frame; the rest are spare
  size_t count_ = 0;
};

// An RGB frame: height rows of width pixels, 3 bytes each (R, G, B), row 0 at the top: the
// layout of Gymnasium's render() array of shape (height, width, 3), dtype uint8.
struct RgbImage {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;
  const uint8_t* at(int x, int y) const {
    return pixels.data() + (size_t(y) * size_t(width) + size_t(x)) * 3;
  }
  uint8_t* at(int x, int y) { return pixels.data() + (size_t(y) * size_t(width) + size_t(x)) * 3; }
};

// Draws `frame` into `out` (resized to the viewport's width_px x height_px, keeping capacity),
// in software: the viewport fills the image, world y points up. A pixel belongs to a filled
// shape when its centre lies inside it (even-odd rule for polygons), so shapes sharing an edge
// neither overlap nor leave gaps. Lines of width <= 1 are one pixel per step along their major
// axis; wider lines are filled quads. Outlines (`filled` false) lie inside their shape, as
// pygame draws them. Text uses a built-in 5x7 bitmap font scaled by whole pixels. Colours with
// alpha < 255 are blended over what is below. Throws rein::Error for a viewport without area or
// of more than 16384 pixels a side.
void rasterize(const DrawList& frame, RgbImage& out);
RgbImage rasterize(const DrawList& frame);

// Rotates the points of a polygon by `angle` radians about the origin, then translates them:
// the transform classic-control envs apply to their bodies.
std::vector<Point> transform(const std::vector<Point>& points, double angle, Point offset);

}  // namespace rein::envs
