// The toy-text sprites drawn with shapes: the subject, colours and placement of each of
// Gymnasium's images (an elf facing one of four ways, a stool, ice, holes, a gift, a cookie,
// mountain grass and a cliff), not their pixels.
#include "envs/toy_text/internal/grid_render.h"

#include <cmath>
#include <numbers>
#include <utility>
#include <vector>

namespace rein::envs::internal {

ScreenCanvas::ScreenCanvas(DrawList& out, int width, int height, Color background)
    : out_(out), height_(height) {
  out_.set_viewport({0.0, double(width), 0.0, double(height), width, height});
  out_.set_background(background);
}

void ScreenCanvas::rect(double x, double y, double w, double h, Color c, bool filled,
                        double width) {
  out_.rect(at(x, y + h), at(x + w, y), c, filled, width);
}

void ScreenCanvas::circle(double cx, double cy, double r, Color c, bool filled) {
  out_.circle(at(cx, cy), r, c, filled);
}

void ScreenCanvas::ellipse(double cx, double cy, double rx, double ry, Color c) {
  std::vector<Point> pts;
  for (int k = 0; k < 32; ++k) {
    const double t = 2 * std::numbers::pi * k / 32;
    pts.push_back(at(cx + rx * std::cos(t), cy + ry * std::sin(t)));
  }
  out_.polygon(std::move(pts), c);
}

void ScreenCanvas::polygon(std::initializer_list<Point> screen_points, Color c) {
  std::vector<Point> pts;
  for (const Point& p : screen_points) pts.push_back(at(p.x, p.y));
  out_.polygon(std::move(pts), c);
}

void ScreenCanvas::line(double x0, double y0, double x1, double y1, Color c, double width) {
  out_.line(at(x0, y0), at(x1, y1), c, width);
}

void ScreenCanvas::text(double x, double y, std::string s, Color c, double line_px) {
  out_.text(at(x, y), std::move(s), c, line_px);
}

void draw_elf(ScreenCanvas& c, double x, double y, double w, double h, Facing facing) {
  const Color hat{46, 125, 50, 255}, coat{67, 160, 71, 255}, skin{240, 200, 160, 255};
  const Color boots{93, 64, 55, 255}, eye{40, 30, 30, 255};
  const double cx = x + w / 2;
  c.rect(cx - w * 0.16, y + h * 0.80, w * 0.12, h * 0.12, boots);  // boots
  c.rect(cx + w * 0.04, y + h * 0.80, w * 0.12, h * 0.12, boots);
  c.polygon({{cx - w * 0.24, y + h * 0.82},
             {cx + w * 0.24, y + h * 0.82},
             {cx + w * 0.16, y + h * 0.48},
             {cx - w * 0.16, y + h * 0.48}},
            coat);                             // body
  c.circle(cx, y + h * 0.38, w * 0.15, skin);  // head
  c.polygon({{cx - w * 0.18, y + h * 0.30}, {cx + w * 0.18, y + h * 0.30}, {cx, y + h * 0.06}},
            hat);
  // Eyes show where the elf faces: both from the front, one to a side, none from behind.
  const double ey = y + h * 0.40, r = std::max(1.0, w * 0.025);
  if (facing == Facing::Down) {
    c.circle(cx - w * 0.06, ey, r, eye);
    c.circle(cx + w * 0.06, ey, r, eye);
  } else if (facing == Facing::Left) {
    c.circle(cx - w * 0.08, ey, r, eye);
  } else if (facing == Facing::Right) {
    c.circle(cx + w * 0.08, ey, r, eye);
  }
}

void draw_stool(ScreenCanvas& c, double x, double y, double w, double h) {
  const Color wood{141, 94, 60, 255}, dark{101, 67, 43, 255};
  c.rect(x + w * 0.22, y + h * 0.50, w * 0.56, h * 0.12, wood);  // seat
  c.rect(x + w * 0.26, y + h * 0.62, w * 0.08, h * 0.28, dark);  // legs
  c.rect(x + w * 0.66, y + h * 0.62, w * 0.08, h * 0.28, dark);
}

void draw_ice(ScreenCanvas& c, double x, double y, double w, double h) {
  c.rect(x, y, w, h, {204, 230, 245, 255});
  c.line(x + w * 0.2, y + h * 0.3, x + w * 0.45, y + h * 0.2, {235, 246, 252, 255}, 2.0);  // glint
}

void draw_hole(ScreenCanvas& c, double x, double y, double w, double h, bool cracked) {
  draw_ice(c, x, y, w, h);
  c.ellipse(x + w / 2, y + h / 2, w * 0.42, h * 0.36, {120, 170, 210, 255});  // rim
  c.ellipse(x + w / 2, y + h / 2, w * 0.36, h * 0.30, {33, 80, 140, 255});    // water
  if (cracked) {
    const Color crack{230, 240, 250, 255};
    c.line(x + w * 0.5, y + h * 0.25, x + w * 0.42, y + h * 0.5, crack, 2.0);
    c.line(x + w * 0.42, y + h * 0.5, x + w * 0.58, y + h * 0.62, crack, 2.0);
    c.line(x + w * 0.58, y + h * 0.62, x + w * 0.5, y + h * 0.78, crack, 2.0);
  }
}

void draw_gift(ScreenCanvas& c, double x, double y, double w, double h) {
  const Color box{211, 47, 47, 255}, ribbon{255, 214, 0, 255};
  c.rect(x + w * 0.2, y + h * 0.35, w * 0.6, h * 0.5, box);
  c.rect(x + w * 0.15, y + h * 0.28, w * 0.7, h * 0.12, box);  // lid
  c.rect(x + w * 0.45, y + h * 0.28, w * 0.1, h * 0.57, ribbon);
  c.polygon(
      {{x + w * 0.5, y + h * 0.28}, {x + w * 0.3, y + h * 0.14}, {x + w * 0.34, y + h * 0.28}},
      ribbon);
  c.polygon(
      {{x + w * 0.5, y + h * 0.28}, {x + w * 0.7, y + h * 0.14}, {x + w * 0.66, y + h * 0.28}},
      ribbon);
}

void draw_cookie(ScreenCanvas& c, double x, double y, double w, double h) {
  const Color dough{214, 165, 100, 255}, chip{92, 58, 33, 255};
  c.circle(x + w / 2, y + h / 2, std::min(w, h) * 0.32, dough);
  const double chips[5][2] = {{0.4, 0.38}, {0.6, 0.42}, {0.45, 0.6}, {0.62, 0.6}, {0.52, 0.5}};
  for (const auto& p : chips) c.circle(x + w * p[0], y + h * p[1], std::max(1.0, w * 0.04), chip);
}

void draw_mountain(ScreenCanvas& c, double x, double y, double w, double h, int variant,
                   bool near_cliff) {
  c.rect(x, y, w, h, variant == 0 ? Color{124, 179, 66, 255} : Color{104, 159, 56, 255});
  c.line(x + w * 0.3, y + h * 0.35, x + w * 0.34, y + h * 0.25, {85, 139, 47, 255}, 2.0);  // tufts
  c.line(x + w * 0.7, y + h * 0.7, x + w * 0.74, y + h * 0.6, {85, 139, 47, 255}, 2.0);
  if (near_cliff) c.rect(x, y + h * 0.85, w, h * 0.15, {121, 85, 72, 255});  // the cliff's edge
}

void draw_cliff(ScreenCanvas& c, double x, double y, double w, double h) {
  c.rect(x, y, w, h, {78, 52, 46, 255});
  c.polygon({{x, y + h}, {x + w * 0.3, y + h * 0.45}, {x + w * 0.55, y + h}}, {62, 39, 35, 255});
  c.polygon({{x + w * 0.45, y + h}, {x + w * 0.75, y + h * 0.55}, {x + w, y + h}},
            {62, 39, 35, 255});
}

}  // namespace rein::envs::internal
