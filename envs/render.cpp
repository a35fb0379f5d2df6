// DrawList: appends shapes to the frame being built.
#include "envs/render.h"

#include <cmath>
#include <utility>

namespace rein::envs {

void DrawList::line(Point a, Point b, Color color, double width_px) {
  DrawShape& s = shapes_.emplace_back();
  s.kind = ShapeKind::Line;
  s.color = color;
  s.width = width_px;
  s.points = {a, b};
}

void DrawList::rect(Point min_corner, Point max_corner, Color color, bool filled, double width_px) {
  DrawShape& s = shapes_.emplace_back();
  s.kind = ShapeKind::Rect;
  s.color = color;
  s.filled = filled;
  s.width = width_px;
  s.points = {min_corner, max_corner};
}

void DrawList::circle(Point centre, double radius, Color color, bool filled) {
  DrawShape& s = shapes_.emplace_back();
  s.kind = ShapeKind::Circle;
  s.color = color;
  s.filled = filled;
  s.radius = radius;
  s.points = {centre};
}

void DrawList::polygon(std::vector<Point> points, Color color, bool filled) {
  DrawShape& s = shapes_.emplace_back();
  s.kind = ShapeKind::Polygon;
  s.color = color;
  s.filled = filled;
  s.points = std::move(points);
}

void DrawList::text(Point top_left, std::string text, Color color, double size) {
  DrawShape& s = shapes_.emplace_back();
  s.kind = ShapeKind::Text;
  s.color = color;
  s.size = size;
  s.points = {top_left};
  s.text = std::move(text);
}

std::vector<Point> transform(const std::vector<Point>& points, double angle, Point offset) {
  const double c = std::cos(angle), s = std::sin(angle);
  std::vector<Point> out;
  out.reserve(points.size());
  for (const Point& p : points) {
    out.push_back({p.x * c - p.y * s + offset.x, p.x * s + p.y * c + offset.y});
  }
  return out;
}

}  // namespace rein::envs
