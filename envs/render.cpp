// DrawList: appends shapes to the frame being built.
#include "envs/render.h"

#include <cmath>
#include <utility>

namespace rein::envs {

DrawShape& DrawList::next(ShapeKind kind, Color color) {
  if (count_ == shapes_.size()) shapes_.emplace_back();
  DrawShape& s = shapes_[count_++];
  s.kind = kind;
  s.color = color;
  s.filled = true;
  s.width = 1.0;
  s.radius = 0.0;
  s.size = 0.0;
  s.points.clear();
  s.text.clear();
  return s;
}

void DrawList::line(Point a, Point b, Color color, double width_px) {
  DrawShape& s = next(ShapeKind::Line, color);
  s.width = width_px;
  s.points.assign({a, b});
}

void DrawList::rect(Point min_corner, Point max_corner, Color color, bool filled, double width_px) {
  DrawShape& s = next(ShapeKind::Rect, color);
  s.filled = filled;
  s.width = width_px;
  s.points.assign({min_corner, max_corner});
}

void DrawList::circle(Point centre, double radius, Color color, bool filled) {
  DrawShape& s = next(ShapeKind::Circle, color);
  s.filled = filled;
  s.radius = radius;
  s.points.push_back(centre);
}

void DrawList::polygon(std::vector<Point> points, Color color, bool filled) {
  DrawShape& s = next(ShapeKind::Polygon, color);
  s.filled = filled;
  s.points = std::move(points);
}

std::vector<Point>& DrawList::add_polygon(Color color, bool filled) {
  DrawShape& s = next(ShapeKind::Polygon, color);
  s.filled = filled;
  return s.points;
}

void DrawList::text(Point top_left, std::string text, Color color, double size) {
  DrawShape& s = next(ShapeKind::Text, color);
  s.size = size;
  s.points.push_back(top_left);
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
