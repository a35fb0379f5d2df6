// GrayscaleObservation, ResizeObservation, FrameSkip and the "wrappers" spec of make().
#include "envs/image_wrappers.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "envs/frame_stack.h"
#include "envs/internal/area_resize.h"
#include "envs/registry.h"

namespace rein::envs {

namespace {

// The image Box these wrappers take: uint8 with bounds 0 and 255, as Gymnasium asserts.
void check_image_box(const Space& space, const char* who, bool need_rgb) {
  const bool box = space.is_box();
  const Box* b = box ? &space.box() : nullptr;
  const bool ok = b != nullptr && b->dtype == Dtype::UInt8 &&
                  std::all_of(b->low.begin(), b->low.end(), [](double v) { return v == 0; }) &&
                  std::all_of(b->high.begin(), b->high.end(), [](double v) { return v == 255; }) &&
                  (need_rgb ? b->shape.size() == 3 && b->shape[2] == 3
                            : b->shape.size() == 2 || b->shape.size() == 3);
  if (!ok) {
    throw Error(str(who, ": needs uint8 image observations in [0, 255] of shape ",
                    need_rgb ? "(H, W, 3)" : "(H, W) or (H, W, C)", ", got ", space.to_string()));
  }
}

void check_frame(const Tensor& obs, const Space& inner, const char* who) {
  if (obs.dtype() != Dtype::UInt8 || obs.shape() != inner.shape()) {
    throw Error(str(who, ": the env returned ", dtype_name(obs.dtype()), " ",
                    to_string(obs.shape()), ", its space says ", inner.to_string()));
  }
}

}  // namespace

// ---- GrayscaleObservation ----

uint8_t grayscale_pixel(uint8_t r, uint8_t g, uint8_t b) {
  // np.sum adds the three float64 products left to right (checked for all 2^24 colours against
  // NumPy 1.24: no difference; r' + (g' + b') differs on 54 of them). The cast truncates.
  const double sum = (r * 0.2125 + g * 0.7154) + b * 0.0721;
  return static_cast<uint8_t>(sum);
}

GrayscaleObservation::GrayscaleObservation(std::unique_ptr<Env> env, bool keep_dim)
    : ObservationWrapper(std::move(env)) {
  check_image_box(observation_space_, "GrayscaleObservation", true);
  Shape shape{observation_space_.shape()[0], observation_space_.shape()[1]};
  if (keep_dim) shape.push_back(1);
  observation_space_ = Box(0, 255, shape, Dtype::UInt8);
  obs_ = zeros(shape, Dtype::UInt8);
}

void GrayscaleObservation::observation(const Tensor& obs) {
  check_frame(obs, env_->observation_space(), "GrayscaleObservation");
  const Tensor c = obs.contiguous();
  const auto* in = static_cast<const uint8_t*>(c.raw_data());
  auto* out = static_cast<uint8_t*>(obs_.raw_data());
  const int64_t n = obs_.numel();
  for (int64_t i = 0; i < n; ++i, in += 3) out[i] = grayscale_pixel(in[0], in[1], in[2]);
}

// ---- ResizeObservation ----

ResizeObservation::ResizeObservation(std::unique_ptr<Env> env, int64_t height, int64_t width)
    : ObservationWrapper(std::move(env)) {
  check_image_box(observation_space_, "ResizeObservation", false);
  if (height < 1 || width < 1 || height > kMaxResizeSide || width > kMaxResizeSide) {
    throw Error(str("ResizeObservation: shape must be HEIGHTxWIDTH with each side in [1, ",
                    kMaxResizeSide, "], got ", height, "x", width));
  }
  const Shape in = observation_space_.shape();
  if (in.numel() == 0) {
    throw Error(str("ResizeObservation: the image ", to_string(in),
                    " has no pixels to resize; wrap an env whose image is at least 1x1"));
  }
  const int64_t channels = in.size() == 3 ? in[2] : 1;
  int64_t values = 0;
  if (__builtin_mul_overflow(height * width, channels, &values) || values > kMaxStackedValues) {
    throw Error(str("ResizeObservation: ", height, "x", width, " frames of ", channels,
                    " channels make more than ", kMaxStackedValues,
                    " values an observation may hold; choose a smaller shape"));
  }
  Shape shape{height, width};
  if (in.size() == 3) shape.push_back(channels);
  observation_space_ = Box(0, 255, shape, Dtype::UInt8);
  obs_ = zeros(shape, Dtype::UInt8);
  resize_ = std::make_unique<internal::AreaResize>(in[0], in[1], channels, height, width);
}

ResizeObservation::~ResizeObservation() = default;

void ResizeObservation::observation(const Tensor& obs) {
  check_frame(obs, env_->observation_space(), "ResizeObservation");
  const Tensor c = obs.contiguous();
  (*resize_)(static_cast<const uint8_t*>(c.raw_data()), static_cast<uint8_t*>(obs_.raw_data()));
}

// ---- FrameSkip ----

FrameSkip::FrameSkip(std::unique_ptr<Env> env, int64_t skip)
    : Wrapper(std::move(env)), skip_(skip) {
  if (skip < 1 || skip > kMaxFrameSkip) {
    throw Error(str("FrameSkip: skip must be an integer in [1, ", kMaxFrameSkip, "], got ", skip));
  }
}

StepResult FrameSkip::step(const Action& action) {
  double total = 0.0;
  for (int64_t k = 0;; ++k) {
    StepResult r = env_->step(action);
    total += r.reward;
    if (k + 1 == skip_ || r.terminated || r.truncated) {
      r.reward = total;
      return r;
    }
  }
}

// ---- the "wrappers" spec ----

namespace {

std::string trim(std::string_view s) {
  const size_t a = s.find_first_not_of(" \t\n");
  if (a == std::string_view::npos) return {};
  const size_t b = s.find_last_not_of(" \t\n");
  return std::string(s.substr(a, b - a + 1));
}

// "skip=2, padding=zero" -> Kwargs; throws on an argument without '='.
Kwargs parse_arguments(std::string_view name, std::string_view text) {
  Kwargs out;
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t comma = std::min(text.find(',', pos), text.size());
    const std::string item = trim(text.substr(pos, comma - pos));
    pos = comma + 1;
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    if (eq == std::string::npos || trim(item.substr(0, eq)).empty()) {
      throw Error(str("wrappers: ", name, ": expected key=value arguments, got '", item, "'"));
    }
    out[trim(item.substr(0, eq))] = trim(item.substr(eq + 1));
  }
  return out;
}

// "64x64" (or "64" for a square) -> {height, width}; ResizeObservation checks the sides' range,
// except for a side too large to parse.
std::pair<int64_t, int64_t> parse_shape(const std::string& text) {
  const size_t x = text.find_first_of("xX");
  auto number = [&](const std::string& s) -> int64_t {
    size_t used = 0;
    long long v = 0;
    try {
      v = std::stoll(s, &used);
    } catch (const std::out_of_range&) {  // a number beyond int64, unless text follows it
      if (s.find_first_not_of("+-0123456789") == std::string::npos)
        throw Error(
            str("ResizeObservation: shape side ", s, " is outside [1, ", kMaxResizeSide, "]"));
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != s.size()) {
      throw Error(str("wrappers: ResizeObservation: shape must be HEIGHTxWIDTH (e.g. 64x64), got '",
                      text, "'"));
    }
    return v;
  };
  if (x == std::string::npos) return {number(text), number(text)};
  return {number(trim(text.substr(0, x))), number(trim(text.substr(x + 1)))};
}

std::unique_ptr<Env> wrap_one(std::unique_ptr<Env> env, const std::string& name,
                              const Kwargs& args) {
  const std::string owner = "wrappers: " + name;
  KwargsReader reader(owner, args);
  std::unique_ptr<Env> out;
  if (name == "GrayscaleObservation") {
    out =
        std::make_unique<GrayscaleObservation>(std::move(env), reader.get_bool("keep_dim", false));
  } else if (name == "ResizeObservation") {
    const auto text = reader.get_optional("shape");
    if (!text) throw Error(str(owner, ": needs shape=HEIGHTxWIDTH (e.g. shape=64x64)"));
    const auto [h, w] = parse_shape(*text);
    out = std::make_unique<ResizeObservation>(std::move(env), h, w);
  } else if (name == "FrameSkip") {
    out = std::make_unique<FrameSkip>(std::move(env), reader.get_int("skip", 4));
  } else if (name == "FrameStackObservation") {
    out = std::make_unique<FrameStackObservation>(std::move(env), reader.get_int("stack_size", 0),
                                                  reader.get_string("padding", "reset"));
  } else {
    const std::vector<std::string> known = {"FrameSkip", "FrameStackObservation",
                                            "GrayscaleObservation", "ResizeObservation"};
    std::string hint;
    if (auto close = close_matches(name, known, 1); !close.empty())
      hint = str(" (did you mean '", close.front(), "'?)");
    throw Error(str("wrappers: unknown wrapper '", name, "'", hint,
                    "; known: FrameSkip, FrameStackObservation, GrayscaleObservation, "
                    "ResizeObservation"));
  }
  reader.finish();
  return out;
}

}  // namespace

std::unique_ptr<Env> apply_wrappers(std::unique_ptr<Env> env, std::string_view spec) {
  size_t pos = 0;
  while (true) {
    const size_t start = spec.find_first_not_of(" \t\n,;", pos);
    if (start == std::string_view::npos) return env;
    const size_t open = spec.find('(', start);
    const size_t sep = spec.find_first_of(",;", start);
    if (open == std::string_view::npos || (sep != std::string_view::npos && sep < open)) {
      // A bare name: no arguments.
      const size_t end = std::min(sep, spec.size());
      env = wrap_one(std::move(env), trim(spec.substr(start, end - start)), {});
      pos = end;
      continue;
    }
    const size_t close = spec.find(')', open);
    if (close == std::string_view::npos) {
      throw Error(str("wrappers: missing ')' after '", spec.substr(start), "'"));
    }
    const std::string name = trim(spec.substr(start, open - start));
    env = wrap_one(std::move(env), name,
                   parse_arguments(name, spec.substr(open + 1, close - open - 1)));
    pos = close + 1;
  }
}

}  // namespace rein::envs
