// Drawing helpers shared by the toy-text envs: Gymnasium draws their frames with y down, in
// pixels, from sprite images; ScreenCanvas maps that layout onto a DrawList (world y up, one
// world unit per pixel) and the sprite functions draw each image's subject with shapes of its
// colours, at the image's place and size. Also Gymnasium's ANSI colouring for the text frames.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "envs/render.h"

namespace rein::envs::internal {

class ScreenCanvas {
 public:
  ScreenCanvas(DrawList& out, int width, int height, Color background);
  Point at(double x, double y) const { return {x, height_ - y}; }
  // Rectangle with top-left (x, y) and size (w, h); outlines lie inside it.
  void rect(double x, double y, double w, double h, Color c, bool filled = true,
            double width = 1.0);
  void circle(double cx, double cy, double r, Color c, bool filled = true);
  void ellipse(double cx, double cy, double rx, double ry, Color c);  // as a 32-gon
  void polygon(std::initializer_list<Point> screen_points, Color c);
  void line(double x0, double y0, double x1, double y1, Color c, double width = 1.0);
  // Text with its top-left at (x, y), `line_px` pixels per line.
  void text(double x, double y, std::string s, Color c, double line_px);
  DrawList& out() { return out_; }

 private:
  DrawList& out_;
  double height_;
};

// The sprites, each filling the cell with top-left (x, y) and size (w, h).
enum class Facing { Left = 0, Down = 1, Right = 2, Up = 3 };  // FrozenLake's/CliffWalking's actions
void draw_elf(ScreenCanvas& c, double x, double y, double w, double h, Facing facing);
void draw_stool(ScreenCanvas& c, double x, double y, double w, double h);
void draw_ice(ScreenCanvas& c, double x, double y, double w, double h);
void draw_hole(ScreenCanvas& c, double x, double y, double w, double h, bool cracked);
void draw_gift(ScreenCanvas& c, double x, double y, double w, double h);
void draw_cookie(ScreenCanvas& c, double x, double y, double w, double h);
void draw_mountain(ScreenCanvas& c, double x, double y, double w, double h, int variant,
                   bool near_cliff);
void draw_cliff(ScreenCanvas& c, double x, double y, double w, double h);

// Gymnasium's utils.colorize: "\x1b[<code>[;1]m" + text + "\x1b[0m", where code is the colour's
// 30-based number (+10 when highlighted, i.e. as background).
enum class AnsiColor { Gray = 30, Red, Green, Yellow, Blue, Magenta, Cyan, White, Crimson };
inline std::string colorize(std::string_view text, AnsiColor color, bool bold = false,
                            bool highlight = false) {
  const int code = static_cast<int>(color) + (highlight ? 10 : 0);
  std::string s = "\x1b[" + std::to_string(code) + (bold ? ";1" : "") + "m";
  s.append(text);
  s += "\x1b[0m";
  return s;
}

}  // namespace rein::envs::internal
