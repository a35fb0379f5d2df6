// rein's built-in bitmap font: printable ASCII as 5x7 glyphs, drawn by the software rasteriser.
#pragma once

#include <array>
#include <cstdint>

namespace rein::envs::internal {

inline constexpr int kGlyphWidth = 5, kGlyphHeight = 7;
inline constexpr int kGlyphAdvance = 6, kLineAdvance = 8;  // one pixel between glyphs and lines

// The glyph's rows, top first; bit 4 of a row is its leftmost pixel. Characters outside
// printable ASCII get '?'.
const std::array<uint8_t, kGlyphHeight>& glyph(char c);

}  // namespace rein::envs::internal
