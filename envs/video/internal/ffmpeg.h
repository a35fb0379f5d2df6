// FFmpeg's C headers and rein's error conversion for them (private to rein_video).
#pragma once

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

#include <string>

#include "base/error.h"

namespace rein::video::internal {

// swscale's SIMD paths may touch a few bytes past a line, so rein's tightly packed RGB images
// go through buffers whose lines are padded to this many bytes, with this much slack at the end.
inline constexpr int kLineAlign = 64;
inline int padded_stride(int bytes) { return (bytes + kLineAlign - 1) / kLineAlign * kLineAlign; }

// FFmpeg's informational messages (x264's statistics) are not errors: rein reports errors itself.
inline void quiet_logs() { av_log_set_level(AV_LOG_ERROR); }

inline std::string av_error(int code) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, buf, sizeof buf);
  return buf;
}

// Throws "video: cannot <what> '<path>': <FFmpeg's message>" for a negative return code.
inline void check(int rc, const char* what, const std::string& path) {
  if (rc < 0) throw Error(str("video: cannot ", what, " '", path, "': ", av_error(rc)));
}

}  // namespace rein::video::internal
