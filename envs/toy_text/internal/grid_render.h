// Drawing helpers shared by the grid worlds: cells of a row-major grid in world coordinates
// (x right, y up, row 0 at the top, one world unit per cell) and Gymnasium's ANSI colouring.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "envs/render.h"

namespace rein::envs::internal {

// Viewport of an nrow x ncol grid, cell_px pixels per cell.
inline Viewport grid_viewport(int64_t nrow, int64_t ncol, int cell_px) {
  return {0.0, static_cast<double>(ncol), 0.0, static_cast<double>(nrow),
          static_cast<int>(ncol) * cell_px, static_cast<int>(nrow) * cell_px};
}

// Fills the cell (row, col), inset by `inset` world units on each side.
inline void fill_cell(DrawList& out, int64_t nrow, int64_t row, int64_t col, Color color,
                      double inset = 0.0) {
  const double y0 = static_cast<double>(nrow - 1 - row);
  out.rect({col + inset, y0 + inset}, {col + 1.0 - inset, y0 + 1.0 - inset}, color, true);
}

inline Point cell_centre(int64_t nrow, int64_t row, int64_t col) {
  return {col + 0.5, static_cast<double>(nrow - 1 - row) + 0.5};
}

// Thin grid lines between all cells.
inline void grid_lines(DrawList& out, int64_t nrow, int64_t ncol, Color color) {
  for (int64_t c = 0; c <= ncol; ++c) out.line({double(c), 0.0}, {double(c), double(nrow)}, color);
  for (int64_t r = 0; r <= nrow; ++r) out.line({0.0, double(r)}, {double(ncol), double(r)}, color);
}

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
