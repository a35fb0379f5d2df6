// Episode video: frames written as H.264 MP4 and decoded back (frame count, size, codec, pixels
// within the codec's tolerance), odd sizes, and every way a recording can fail.
#include "envs/video/video.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "base/error.h"
#include "envs/registry.h"

extern "C" {
#include <libavutil/log.h>
}

namespace rein::video {
namespace {

namespace fs = std::filesystem;

class VideoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("rein_video_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string file(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

// A frame of `w` x `h`: grey, with a 16x16 square whose colour and position depend on `k`.
envs::RgbImage test_frame(int w, int h, int k) {
  envs::RgbImage img;
  img.width = w;
  img.height = h;
  img.pixels.assign(size_t(w) * size_t(h) * 3, 90);
  for (int y = 8; y < 24; ++y) {
    for (int x = 2 * k % (w - 16); x < 2 * k % (w - 16) + 16; ++x) {
      uint8_t* p = img.at(x, y);
      p[0] = 230, p[1] = static_cast<uint8_t>(10 * k % 200), p[2] = 40;
    }
  }
  return img;
}

void expect_near(const envs::RgbImage& img, int x, int y, int r, int g, int b, int tolerance) {
  const uint8_t* p = img.at(x, y);
  EXPECT_NEAR(p[0], r, tolerance) << "red at " << x << "," << y;
  EXPECT_NEAR(p[1], g, tolerance) << "green at " << x << "," << y;
  EXPECT_NEAR(p[2], b, tolerance) << "blue at " << x << "," << y;
}

TEST_F(VideoTest, WrittenFramesDecodeBackWithTheirSizeCountAndColours) {
  const std::string path = file("clip.mp4");
  {
    Mp4Writer w(path, 64, 48, 25);
    for (int k = 0; k < 30; ++k) w.write(test_frame(64, 48, k));
    EXPECT_FALSE(fs::exists(path));  // not before finish()
    w.finish();
    EXPECT_EQ(w.frames(), 30);
  }
  ASSERT_TRUE(fs::exists(path));
  EXPECT_FALSE(fs::exists(path + ".part"));
  Mp4Reader r(path);
  EXPECT_EQ(r.info().width, 64);
  EXPECT_EQ(r.info().height, 48);
  EXPECT_DOUBLE_EQ(r.info().fps, 25.0);
  EXPECT_EQ(r.info().codec, "h264");
  EXPECT_EQ(r.info().pixel_format, "yuv420p");
  envs::RgbImage frame;
  int n = 0;
  while (r.next(frame)) {
    ASSERT_EQ(frame.width, 64);
    ASSERT_EQ(frame.height, 48);
    if (n == 10) {  // the square of frame 10 sits at x 20..35, colour (230, 100, 40)
      expect_near(frame, 27, 15, 230, 100, 40, 12);
      expect_near(frame, 50, 40, 90, 90, 90, 6);
      expect_near(frame, 5, 15, 90, 90, 90, 6);
    }
    ++n;
  }
  EXPECT_EQ(n, 30);
  r.rewind();
  ASSERT_TRUE(r.next(frame));
  expect_near(frame, 8, 15, 230, 0, 40, 12);  // frame 0 again
}

// What FFmpeg's log shows of the codecs' messages at the level a program chose.
std::vector<std::string> g_shown;
void keep_shown(void* context, int level, const char* format, va_list) {
  const AVClass* c = context ? *static_cast<const AVClass* const*>(context) : nullptr;
  if (c && std::string(c->class_name) == "AVCodecContext" && level <= av_log_get_level())
    g_shown.emplace_back(format);
}

// FFmpeg's log level and callback are the program's: recording and reading a video changes
// neither, and at FFmpeg's default level (info) the codecs show nothing (x264's statistics are
// verbose). show_only_ffmpeg_errors() is the programs' own choice.
TEST_F(VideoTest, LeavesFfmpegsLogLevelAndCallbackToTheProgram) {
  av_log_set_callback(keep_shown);
  for (int level : {AV_LOG_INFO, AV_LOG_DEBUG}) {
    av_log_set_level(level);
    g_shown.clear();
    const std::string path = file("log" + std::to_string(level) + ".mp4");
    Mp4Writer w(path, 64, 48, 25);
    for (int k = 0; k < 10; ++k) w.write(test_frame(64, 48, k));
    w.finish();
    Mp4Reader r(path);
    envs::RgbImage frame;
    while (r.next(frame)) {
    }
    EXPECT_EQ(av_log_get_level(), level);
    if (level == AV_LOG_INFO) {
      EXPECT_TRUE(g_shown.empty()) << g_shown.front();
    } else {
      EXPECT_FALSE(g_shown.empty());  // still there when asked for
    }
  }
  av_log_set_callback(av_log_default_callback);
  show_only_ffmpeg_errors();
  EXPECT_EQ(av_log_get_level(), AV_LOG_ERROR);
  av_log_set_level(AV_LOG_INFO);
}

TEST_F(VideoTest, CartPoleEpisodeFramesKeepThePoleColour) {
  auto env = envs::make("CartPole-v1");
  env->reset(uint64_t{0});
  const std::string path = file("cartpole.mp4");
  Mp4Writer w(path, 600, 400, 50);
  envs::RgbImage img;
  for (int t = 0; t < 12; ++t) {
    env->unwrapped().set_state(std::vector<double>{0.1 * t, 0.0, 0.0, 0.0});
    env->render_rgb(img);
    w.write(img);
  }
  w.finish();
  Mp4Reader r(path);
  envs::RgbImage frame;
  for (int t = 0; t < 12; ++t) {
    ASSERT_TRUE(r.next(frame)) << "frame " << t;
    // Gymnasium's geometry: the pole's middle at (300 + 125 x, 400 - 167.5), the cart below it.
    const int x = static_cast<int>(300 + 125 * 0.1 * t);
    expect_near(frame, x, 232, 202, 152, 101, 16);
    expect_near(frame, x - 15, 290, 0, 0, 0, 16);
    expect_near(frame, 100, 100, 255, 255, 255, 8);
  }
  EXPECT_FALSE(r.next(frame));
}

TEST_F(VideoTest, OddSizesArePaddedToEvenByRepeatingTheLastColumnAndRow) {
  const std::string path = file("odd.mp4");
  Mp4Writer w(path, 63, 47, 10);
  envs::RgbImage img = test_frame(63, 47, 0);
  for (int y = 0; y < 47; ++y) {
    uint8_t* p = img.at(62, y);
    p[0] = 20, p[1] = 200, p[2] = 20;
  }
  w.write(img);
  w.finish();
  Mp4Reader r(path);
  EXPECT_EQ(r.info().width, 64);
  EXPECT_EQ(r.info().height, 48);
  envs::RgbImage frame;
  ASSERT_TRUE(r.next(frame));
  expect_near(frame, 63, 30, 20, 200, 20, 20);
  expect_near(frame, 30, 47, 90, 90, 90, 8);
}

TEST_F(VideoTest, UnwritablePathsFailClearlyAndLeaveNothing) {
  try {
    Mp4Writer w(file("missing/folder/run.mp4"), 64, 48, 30);
    FAIL() << "wrote into a folder that does not exist";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot write"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("missing/folder/run.mp4"), std::string::npos) << e.what();
  }
  try {
    Mp4Writer w(dir_.string(), 64, 48, 30);
    FAIL() << "wrote onto a folder";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("is a folder"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(fs::is_empty(dir_));
}

// The video is renamed over its name when finished; run as root, `rein record -o /dev/null`
// replaced the device with the MP4 for the whole machine. A name that is not a regular file is
// refused before anything is written (a FIFO here: safe to replace if the check were missing).
TEST_F(VideoTest, ANameThatIsNotARegularFileIsRefusedAndLeftAsItIs) {
  const std::string fifo = file("pipe.mp4");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string refusal = "(no error)";
  try {
    Mp4Writer w(fifo, 64, 48, 30);
    w.write(test_frame(64, 48, 1));
    w.finish();
  } catch (const Error& e) {
    refusal = e.what();
  }
  EXPECT_EQ(refusal, "video: '" + fifo +
                         "' is a pipe (FIFO); give the name of a file (rein writes a new file "
                         "beside it and renames it over the name, which would replace a pipe "
                         "(FIFO))");
  EXPECT_TRUE(fs::is_fifo(fifo));
  EXPECT_FALSE(fs::exists(fifo + ".part"));
}

TEST_F(VideoTest, AnUnfinishedRecordingLeavesNoFile) {
  const std::string path = file("partial.mp4");
  {
    Mp4Writer w(path, 64, 48, 30);
    w.write(test_frame(64, 48, 1));
    EXPECT_TRUE(fs::exists(path + ".part"));
  }
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(VideoTest, BadSizesFramesAndCallsAreRejected) {
  EXPECT_THROW(Mp4Writer(file("a.mp4"), 1, 48, 30), Error);
  EXPECT_THROW(Mp4Writer(file("a.mp4"), 64, 48, 0), Error);
  EXPECT_THROW(Mp4Writer(file("a.mp4"), 64, 100000, 30), Error);
  Mp4Writer w(file("b.mp4"), 64, 48, 30);
  EXPECT_THROW(w.finish(), Error);  // no frames
  try {
    w.write(test_frame(32, 48, 0));
    FAIL() << "accepted a frame of another size";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("32x48"), std::string::npos) << e.what();
  }
  w.write(test_frame(64, 48, 0));
  w.finish();
  EXPECT_THROW(w.write(test_frame(64, 48, 0)), Error);
  EXPECT_THROW(w.finish(), Error);
}

TEST_F(VideoTest, ReadingAFileThatIsNoVideoFails) {
  const std::string path = file("notes.mp4");
  std::ofstream(path) << "not a video";
  EXPECT_THROW(Mp4Reader{path}, Error);
  EXPECT_THROW(Mp4Reader{file("absent.mp4")}, Error);
}

}  // namespace
}  // namespace rein::video
