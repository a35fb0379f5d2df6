// record_episodes: one env, one writer, frames straight from the rasteriser to the encoder.
#include "apps/cli/episode_video.h"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <utility>

#include "base/error.h"
#include "envs/registry.h"
#include "envs/video/video.h"

namespace rein::cli {

EpisodeVideo record_episodes(rl::Agent& agent, const std::string& env_id,
                             const envs::Kwargs& env_kwargs, const std::string& path,
                             const EpisodeVideoOptions& o) {
  if (o.episodes < 1) throw Error(str("record: --episodes must be at least 1, got ", o.episodes));
  envs::Kwargs kwargs = env_kwargs;
  if (o.default_max_episode_steps > 0 && !kwargs.contains("max_episode_steps") &&
      !envs::registry().spec(env_id).max_episode_steps) {
    kwargs["max_episode_steps"] = std::to_string(o.default_max_episode_steps);
  }
  std::unique_ptr<envs::Env> env = envs::make(env_id, kwargs);
  const envs::RenderInfo ri = env->render_info();
  if (!ri.draws && !ri.text) {
    throw Error(str("record: env '", env_id,
                    "' cannot render frames, so there is nothing to "
                    "record (it neither draws nor renders text)"));
  }
  EpisodeVideo out;
  out.fps = o.fps > 0 ? o.fps : ri.fps;
  std::optional<video::Mp4Writer> writer;
  envs::RgbImage frame;
  auto write_frame = [&] {
    if (o.stop != nullptr && o.stop->load())
      throw Error(str("record: interrupted; ", path, " was not written"));
    env->render_rgb(frame);
    if (!writer) writer.emplace(path, frame.width, frame.height, out.fps);
    writer->write(frame);
  };
  for (int64_t e = 0; e < o.episodes; ++e) {
    Tensor obs = env->reset(o.seed + static_cast<uint64_t>(e)).obs.clone();
    write_frame();
    double ret = 0.0;
    int64_t length = 0;
    for (;;) {
      const Tensor action =
          agent.predict(obs.unsqueeze(0), o.deterministic).select(0, 0).contiguous();
      const envs::StepResult r = env->step(envs::Action::from_tensor(action));
      ret += r.reward;
      ++length;
      obs = r.obs.clone();
      write_frame();
      if (r.terminated || r.truncated) break;
    }
    out.returns.push_back(ret);
    out.lengths.push_back(length);
    if (o.on_episode) o.on_episode(e + 1, ret);
  }
  writer->finish();
  out.width = writer->width();
  out.height = writer->height();
  out.frames = writer->frames();
  return out;
}

PeriodicVideo::PeriodicVideo(int64_t every, std::string env_id, envs::Kwargs env_kwargs,
                             uint64_t seed, int64_t start_step)
    : every_(every), env_id_(std::move(env_id)), env_kwargs_(std::move(env_kwargs)), seed_(seed) {
  if (every_ < 1)
    throw Error(str("train: --video-every must be at least 1 env step, got ", every_));
  const envs::RenderInfo ri = envs::make(env_id_, env_kwargs_)->render_info();
  if (!ri.draws && !ri.text) {
    throw Error(str("train: --video-every: env '", env_id_,
                    "' cannot render frames, so there is "
                    "nothing to record; train without --video-every"));
  }
  next_ = (start_step / every_ + 1) * every_;
}

std::optional<std::string> PeriodicVideo::maybe_record(rl::Agent& agent, int64_t step,
                                                       const std::string& dir) {
  if (step < next_) return std::nullopt;
  while (next_ <= step) next_ += every_;
  std::filesystem::create_directories(dir);
  char name[48];
  std::snprintf(name, sizeof name, "video-step-%09lld.mp4", static_cast<long long>(step));
  const std::string path = std::filesystem::absolute(std::filesystem::path(dir) / name).string();
  record_episodes(agent, env_id_, env_kwargs_, path, {.episodes = 1, .seed = seed_});
  return path;
}

}  // namespace rein::cli
