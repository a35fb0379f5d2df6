// Tables and lines for the terminal: columns aligned by display width (UTF-8 aware), and lines
// that fit the terminal (cut with "…") when standard output is one, left whole in a pipe.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace rein::cli {

// Columns of file descriptor `fd` (standard output by default) when it is a terminal ($COLUMNS,
// else the window size); 0 when it is a file or a pipe (then nothing is cut, so scripts see every
// character).
std::size_t terminal_columns(int fd = 1);

// Characters as a terminal shows them (UTF-8 code points), not bytes.
std::size_t display_width(const std::string& text);

// `text` cut to `width` columns, ending in "…" when cut; unchanged when width is 0 or enough.
std::string fit(const std::string& text, std::size_t width);

// Prints rows as left-aligned columns separated by two spaces; each line is fit() to `width`.
void print_table(const std::vector<std::vector<std::string>>& rows, std::size_t width = 0);

// `v` with `digits` decimals ("500.00").
std::string format_fixed(double v, int digits = 2);

// The mark of a value a run does not have (a param another run has, a metric never logged).
inline constexpr const char* kMissing = "—";

}  // namespace rein::cli
