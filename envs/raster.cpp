// The software rasteriser: a DrawList becomes an RGB image, shape by shape in order. Every fill
// samples pixel centres, so the result is exact (no coverage estimates) and independent of the
// order in which a shape's spans are written.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/error.h"
#include "envs/internal/bitmap_font.h"
#include "envs/render.h"

namespace rein::envs {
namespace {

struct Pixel {
  double x, y;  // pixel space: x right, y down, pixel (i, j) covers [i, i+1) x [j, j+1)
};

class Canvas {
 public:
  Canvas(RgbImage& image, const Viewport& v)
      : image_(image),
        sx_(v.width_px / (v.x_max - v.x_min)),
        sy_(v.height_px / (v.y_max - v.y_min)),
        x_min_(v.x_min),
        y_max_(v.y_max) {}

  Pixel map(Point p) const { return {(p.x - x_min_) * sx_, (y_max_ - p.y) * sy_}; }
  double scale_x() const { return sx_; }
  double scale_y() const { return sy_; }

  void clear(Color c) {
    uint8_t* p = image_.pixels.data();
    const size_t n = image_.pixels.size() / 3;
    for (size_t i = 0; i < n; ++i, p += 3) p[0] = c.r, p[1] = c.g, p[2] = c.b;
  }

  // Pixels [x0, x1) of row y, clipped to the image.
  void span(int y, int x0, int x1, Color c) {
    if (y < 0 || y >= image_.height) return;
    x0 = std::max(x0, 0);
    x1 = std::min(x1, image_.width);
    if (x0 >= x1) return;
    uint8_t* p = image_.at(x0, y);
    if (c.a == 255) {
      for (int x = x0; x < x1; ++x, p += 3) p[0] = c.r, p[1] = c.g, p[2] = c.b;
      return;
    }
    const int a = c.a, b = 255 - c.a;
    for (int x = x0; x < x1; ++x, p += 3) {
      p[0] = static_cast<uint8_t>((c.r * a + p[0] * b + 127) / 255);
      p[1] = static_cast<uint8_t>((c.g * a + p[1] * b + 127) / 255);
      p[2] = static_cast<uint8_t>((c.b * a + p[2] * b + 127) / 255);
    }
  }

  // The pixels whose centres lie in [x0, x1) x [y0, y1) (pixel space).
  void fill_box(double x0, double y0, double x1, double y1, Color c) {
    const int i0 = first_centre(x0), i1 = first_centre(x1);
    const int j0 = std::max(first_centre(y0), 0), j1 = std::min(first_centre(y1), image_.height);
    for (int j = j0; j < j1; ++j) span(j, i0, i1, c);
  }

  // Even-odd fill of a closed polygon: a row's crossings with the edges, paired left to right.
  // An edge counts on a row when exactly one of its ends lies at or above the row's centre, so
  // vertices on the centre line are counted once and horizontal edges never.
  void fill_polygon(const std::vector<Pixel>& pts, Color c) {
    if (pts.size() < 3) return;
    double top = pts[0].y, bottom = pts[0].y;
    for (const Pixel& p : pts) top = std::min(top, p.y), bottom = std::max(bottom, p.y);
    const int j0 = std::max(first_centre(top), 0);
    const int j1 = std::min(first_centre(bottom), image_.height);
    const size_t n = pts.size();
    for (int j = j0; j < j1; ++j) {
      const double yc = j + 0.5;
      crossings_.clear();
      for (size_t k = 0, prev = n - 1; k < n; prev = k++) {
        const Pixel& a = pts[prev];
        const Pixel& b = pts[k];
        if ((a.y <= yc) != (b.y <= yc))
          crossings_.push_back(a.x + (yc - a.y) * (b.x - a.x) / (b.y - a.y));
      }
      std::sort(crossings_.begin(), crossings_.end());
      for (size_t k = 0; k + 1 < crossings_.size(); k += 2) {
        span(j, first_centre(crossings_[k]), first_centre(crossings_[k + 1]), c);
      }
    }
  }

  // An axis-aligned ellipse of radii (rx, ry) about (cx, cy); with inner radii > 0 only the
  // ring between the two is drawn (an outline lying inside the shape).
  void fill_ellipse(Pixel centre, double rx, double ry, double inner_rx, double inner_ry, Color c) {
    if (!(rx > 0) || !(ry > 0)) return;
    const int j0 = std::max(first_centre(centre.y - ry), 0);
    const int j1 = std::min(first_centre(centre.y + ry) + 1, image_.height);
    for (int j = j0; j < j1; ++j) {
      const double t = (j + 0.5 - centre.y) / ry;
      if (t * t > 1.0) continue;
      const double half = rx * std::sqrt(1.0 - t * t);
      const int o0 = first_centre(centre.x - half), o1 = last_centre(centre.x + half) + 1;
      const double ti = inner_ry > 0 ? (j + 0.5 - centre.y) / inner_ry : 2.0;
      if (ti * ti >= 1.0 || !(inner_rx > 0)) {
        span(j, o0, o1, c);
        continue;
      }
      const double inner = inner_rx * std::sqrt(1.0 - ti * ti);
      const int h0 = first_centre(centre.x - inner), h1 = last_centre(centre.x + inner) + 1;
      span(j, o0, h0, c);
      span(j, h1, o1, c);
    }
  }

  // A line `width` pixels wide: one pixel per step along the major axis when thin, otherwise
  // the filled quad around the segment.
  void line(Pixel a, Pixel b, double width, Color c) {
    if (width <= 1.0) {
      thin_line(a, b, c);
      return;
    }
    const double dx = b.x - a.x, dy = b.y - a.y, len = std::hypot(dx, dy);
    if (!(len > 0)) return;
    const double nx = -dy / len * width / 2, ny = dx / len * width / 2;
    quad_.assign(
        {{a.x + nx, a.y + ny}, {b.x + nx, b.y + ny}, {b.x - nx, b.y - ny}, {a.x - nx, a.y - ny}});
    fill_polygon(quad_, c);
  }

  void text(Pixel top_left, const std::string& s, int scale, Color c) {
    const int x_start = static_cast<int>(std::lround(clamp_coord(top_left.x)));
    int x = x_start, y = static_cast<int>(std::lround(clamp_coord(top_left.y)));
    for (char ch : s) {
      if (ch == '\n') {
        x = x_start;
        y += internal::kLineAdvance * scale;
        continue;
      }
      const auto& rows = internal::glyph(ch);
      for (int r = 0; r < internal::kGlyphHeight; ++r) {
        for (int col = 0; col < internal::kGlyphWidth; ++col) {
          if (!((rows[static_cast<size_t>(r)] >> (internal::kGlyphWidth - 1 - col)) & 1)) continue;
          for (int k = 0; k < scale; ++k)
            span(y + r * scale + k, x + col * scale, x + (col + 1) * scale, c);
        }
      }
      x += internal::kGlyphAdvance * scale;
    }
  }

 private:
  // The first pixel index whose centre is at or after v, and the last at or before it.
  static int first_centre(double v) { return static_cast<int>(std::ceil(clamp_coord(v) - 0.5)); }
  static int last_centre(double v) { return static_cast<int>(std::floor(clamp_coord(v) - 0.5)); }
  // Keeps far-off coordinates (a body flying away) inside int range; NaN lands at a bound.
  static double clamp_coord(double v) { return std::clamp(std::isnan(v) ? -1e7 : v, -1e7, 1e7); }

  void thin_line(Pixel a, Pixel b, Color c) {
    const double dx = b.x - a.x, dy = b.y - a.y;
    const double steps = std::ceil(std::max(std::abs(dx), std::abs(dy)));
    if (!(steps < 1e5)) return;  // NaN, or far outside any frame
    const int n = static_cast<int>(steps);
    for (int k = 0; k <= n; ++k) {
      const double t = n == 0 ? 0.0 : static_cast<double>(k) / n;
      const int x = static_cast<int>(std::floor(clamp_coord(a.x + dx * t)));
      const int y = static_cast<int>(std::floor(clamp_coord(a.y + dy * t)));
      if (x >= 0 && x < image_.width) span(y, x, x + 1, c);
    }
  }

  RgbImage& image_;
  double sx_, sy_, x_min_, y_max_;
  std::vector<double> crossings_;
  std::vector<Pixel> quad_;
};

}  // namespace

void rasterize(const DrawList& frame, RgbImage& out) {
  const Viewport& v = frame.viewport();
  if (!(v.x_max > v.x_min) || !(v.y_max > v.y_min) || v.width_px < 1 || v.height_px < 1 ||
      v.width_px > 16384 || v.height_px > 16384) {
    throw Error(
        str("rasterize: the frame's viewport needs a world area and 1 to 16384 pixels a "
            "side, got x [",
            v.x_min, ", ", v.x_max, "], y [", v.y_min, ", ", v.y_max, "], ", v.width_px, "x",
            v.height_px, " px"));
  }
  out.width = v.width_px;
  out.height = v.height_px;
  out.pixels.resize(size_t(out.width) * size_t(out.height) * 3);
  Canvas canvas(out, v);
  canvas.clear(frame.background());
  std::vector<Pixel> pts;
  for (const DrawShape& s : frame.shapes()) {
    const double w = std::max(1.0, s.width);
    switch (s.kind) {
      case ShapeKind::Line:
        if (s.points.size() >= 2)
          canvas.line(canvas.map(s.points[0]), canvas.map(s.points[1]), s.width, s.color);
        break;
      case ShapeKind::Rect: {
        if (s.points.size() < 2) break;
        const Pixel a = canvas.map(s.points[0]), b = canvas.map(s.points[1]);
        const double x0 = std::min(a.x, b.x), x1 = std::max(a.x, b.x);
        const double y0 = std::min(a.y, b.y), y1 = std::max(a.y, b.y);
        if (s.filled) {
          canvas.fill_box(x0, y0, x1, y1, s.color);
        } else {  // four bands inside the rectangle, the corners once
          canvas.fill_box(x0, y0, x1, std::min(y0 + w, y1), s.color);
          canvas.fill_box(x0, std::max(y1 - w, y0 + w), x1, y1, s.color);
          canvas.fill_box(x0, y0 + w, std::min(x0 + w, x1), y1 - w, s.color);
          canvas.fill_box(std::max(x1 - w, x0 + w), y0 + w, x1, y1 - w, s.color);
        }
        break;
      }
      case ShapeKind::Circle: {
        if (s.points.empty()) break;
        const double rx = s.radius * canvas.scale_x(), ry = s.radius * canvas.scale_y();
        if (s.filled)
          canvas.fill_ellipse(canvas.map(s.points[0]), rx, ry, 0, 0, s.color);
        else
          canvas.fill_ellipse(canvas.map(s.points[0]), rx, ry, rx - w, ry - w, s.color);
        break;
      }
      case ShapeKind::Polygon: {
        pts.clear();
        for (const Point& p : s.points) pts.push_back(canvas.map(p));
        if (s.filled) {
          canvas.fill_polygon(pts, s.color);
        } else {
          for (size_t k = 0; k < pts.size() && pts.size() >= 2; ++k) {
            canvas.line(pts[k], pts[(k + 1) % pts.size()], s.width, s.color);
          }
        }
        break;
      }
      case ShapeKind::Text: {
        if (s.points.empty()) break;
        // size: world units per line; the font's line is 8 pixels, scaled by whole pixels.
        const double line_px =
            s.size > 0 ? s.size * canvas.scale_y() : 2.0 * internal::kLineAdvance;
        const int scale =
            std::max(1, static_cast<int>(std::lround(line_px / internal::kLineAdvance)));
        canvas.text(canvas.map(s.points[0]), s.text, std::min(scale, 64), s.color);
        break;
      }
    }
  }
}

RgbImage rasterize(const DrawList& frame) {
  RgbImage out;
  rasterize(frame, out);
  return out;
}

}  // namespace rein::envs
