// Episode video: RGB frames (envs::RgbImage) written as H.264 in an MP4 file, and read back.
// FFmpeg's libraries do the work; none of their types appear here. FFmpeg's process-wide log
// level and callback are left as the program set them: rein only moves its own codecs' messages
// one level down (x264's statistics become verbose), so they are quiet at FFmpeg's default level.
// A program that wants FFmpeg's errors only (the rein CLI and dashboard do) says so itself:
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "envs/render.h"

namespace rein::video {

// Writes frames of one size as H.264 (yuv420p, libx264 when available) in an MP4 at a fixed
// frame rate. The file appears at `path` only when finish() succeeds: frames go to a temporary
// file beside it, which is removed if the writer is destroyed unfinished or an error is thrown,
// so a failed recording leaves no half-written video. yuv420p needs even sizes: an odd width or
// height gets one more column or row repeating the last one.
//   Mp4Writer w("run.mp4", 600, 400, 50);
//   w.write(env.render_rgb()); ...; w.finish();
// Throws rein::Error with the path and what to do: size out of 2..16384, fps out of 1..1000,
// a folder that does not exist or cannot be written, no H.264 encoder.
// Sets FFmpeg's process-wide log level to errors only (av_log_set_level(AV_LOG_ERROR)), which
// also hides the muxer's info line at the end of a recording. For programs, at start: a library
// must leave this to the program it is part of.
void show_only_ffmpeg_errors();

class Mp4Writer {
 public:
  Mp4Writer(std::string path, int width, int height, int fps);
  ~Mp4Writer();
  Mp4Writer(const Mp4Writer&) = delete;
  Mp4Writer& operator=(const Mp4Writer&) = delete;

  // Throws rein::Error when the frame's size differs from the writer's, or after finish().
  void write(const envs::RgbImage& frame);
  // Flushes the encoder, writes the MP4 index and moves the file into place.
  void finish();

  int width() const { return width_; }
  int height() const { return height_; }
  int64_t frames() const { return frames_; }
  const std::string& path() const { return path_; }

 private:
  struct Codec;  // FFmpeg state
  std::string path_, temp_path_;
  int width_, height_;
  int64_t frames_ = 0;
  std::unique_ptr<Codec> codec_;
};

// What a video file holds.
struct VideoInfo {
  int width = 0, height = 0;
  double fps = 0.0;
  std::string codec;         // "h264"
  std::string pixel_format;  // "yuv420p"
};

// Decodes a video file frame by frame into RGB images (any format FFmpeg reads).
//   Mp4Reader r("run.mp4"); envs::RgbImage f; while (r.next(f)) ...
// Throws rein::Error naming the path when it cannot be opened or holds no video stream.
class Mp4Reader {
 public:
  explicit Mp4Reader(const std::string& path);
  ~Mp4Reader();
  Mp4Reader(const Mp4Reader&) = delete;
  Mp4Reader& operator=(const Mp4Reader&) = delete;

  const VideoInfo& info() const { return info_; }
  // The next frame into `out` (resized; capacity kept); false at the end of the video.
  bool next(envs::RgbImage& out);
  // Back to the first frame.
  void rewind();

 private:
  struct Codec;
  std::string path_;
  VideoInfo info_;
  std::unique_ptr<Codec> codec_;
};

}  // namespace rein::video
