// The agent viewer's recorded videos: frames come due at the video's rate, loop at the end, and
// a file that is no video is refused.
#include "apps/dashboard/video_clip.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "base/error.h"

namespace rein::dashboard {
namespace {

namespace fs = std::filesystem;

// Frame k is a flat grey of 40 + 60 k.
std::string write_clip(const fs::path& path, int frames, int fps) {
  video::Mp4Writer w(path.string(), 32, 16, fps);
  for (int k = 0; k < frames; ++k) {
    envs::RgbImage img;
    img.width = 32;
    img.height = 16;
    img.pixels.assign(32 * 16 * 3, static_cast<uint8_t>(40 + 60 * k));
    w.write(img);
  }
  w.finish();
  return path.string();
}

TEST(VideoClip, FramesComeDueAtTheVideosRateAndLoop) {
  const fs::path dir =
      fs::temp_directory_path() / ("rein_video_clip_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  VideoClip clip(write_clip(dir / "clip.mp4", 3, 10));
  EXPECT_DOUBLE_EQ(clip.fps(), 10.0);
  EXPECT_EQ(clip.frame_index(), 0);
  EXPECT_NEAR(clip.frame().at(5, 5)[0], 40, 6);
  EXPECT_FALSE(clip.advance(0.05));  // frame 1 is due at 0.1 s
  EXPECT_TRUE(clip.advance(0.05));
  EXPECT_EQ(clip.frame_index(), 1);
  EXPECT_NEAR(clip.frame().at(5, 5)[0], 100, 6);
  EXPECT_TRUE(clip.advance(0.1));
  EXPECT_EQ(clip.frame_index(), 2);
  EXPECT_NEAR(clip.frame().at(5, 5)[0], 160, 6);
  EXPECT_TRUE(clip.advance(0.1));  // past the end: the first frame again
  EXPECT_EQ(clip.frame_index(), 0);
  EXPECT_NEAR(clip.frame().at(5, 5)[0], 40, 6);
  EXPECT_FALSE(clip.advance(-1.0));
  fs::remove_all(dir);
}

TEST(VideoClip, AFileThatIsNoVideoIsRefused) {
  const fs::path dir =
      fs::temp_directory_path() / ("rein_video_clip_bad_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "x.mp4") << "no video";
  EXPECT_THROW(VideoClip((dir / "x.mp4").string()), Error);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace rein::dashboard
