// Checks of the paths rein writes: file_kind() names what a path is, check_output_file() says
// whether a file may be written beside a name and renamed over it.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "base/error.h"

namespace rein {

// "a folder", "a character device", "a block device", "a pipe (FIFO)", "a socket", "a file".
inline const char* file_kind(const std::filesystem::file_status& st) {
  namespace fs = std::filesystem;
  return fs::is_regular_file(st)     ? "a file"
         : fs::is_directory(st)      ? "a folder"
         : fs::is_character_file(st) ? "a character device"
         : fs::is_block_file(st)     ? "a block device"
         : fs::is_fifo(st)           ? "a pipe (FIFO)"
         : fs::is_socket(st)         ? "a socket"
                                     : "not a regular file";
}

// rein writes its outputs (checkpoints, videos, exports) to a temporary beside the name and
// renames it over the name, so an interrupted write never leaves half a file. rename() replaces
// whatever the name is: run as root, `-o /dev/null` or `-o /dev/stdout` would replace the device
// with a regular file for the whole machine. So a name that exists must be a regular file, after
// following symbolic links (a link to a file is replaced by the new file). Throws rein::Error
// naming `who`, the path and what it is.
inline void check_output_file(const std::string& path, std::string_view who) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st) || fs::is_regular_file(st)) return;  // absent: written as new
  const char* what = file_kind(st);
  throw Error(str(who, ": '", path, "' is ", what,
                  "; give the name of a file (rein writes a new file beside it and renames it "
                  "over the name, which would replace ",
                  what, ")"));
}

}  // namespace rein
