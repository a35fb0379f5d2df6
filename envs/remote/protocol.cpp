// The remote-env codec: frames to bytes and back, exactly as docs/REMOTE_ENVS.md lays them out.
#include "envs/remote/protocol.h"

#include <limits>

#include "envs/remote/internal/wire.h"

namespace rein::envs::remote {
namespace {

using internal::Reader;
using internal::Writer;

constexpr uint8_t kMagic[4] = {'R', 'E', 'I', 'N'};

// Wire codes of dtypes (docs/REMOTE_ENVS.md, "Dtypes").
uint8_t dtype_code(Dtype d) {
  switch (d) {
    case Dtype::Float32:
      return 0;
    case Dtype::Float64:
      return 1;
    case Dtype::Int64:
      return 2;
    case Dtype::Bool:
      return 3;
    case Dtype::UInt8:
      return 4;
  }
  return 0;
}

Dtype read_dtype(Reader& r, const char* field, bool allow_bool) {
  const uint8_t code = r.get<uint8_t>(field);
  switch (code) {
    case 0:
      return Dtype::Float32;
    case 1:
      return Dtype::Float64;
    case 2:
      return Dtype::Int64;
    case 3:
      if (allow_bool) return Dtype::Bool;
      break;
    case 4:
      return Dtype::UInt8;
    default:
      break;
  }
  r.fail(str(field, ": unknown dtype code ", int(code)));
}

// Starts a frame: length placeholder and type byte. Returns where the length goes.
size_t begin_frame(std::vector<uint8_t>& out, FrameType type) {
  const size_t at = out.size();
  Writer w(out);
  w.put<uint32_t>(0);
  w.put<uint8_t>(static_cast<uint8_t>(type));
  return at;
}

void end_frame(std::vector<uint8_t>& out, size_t at) {
  const uint64_t length = out.size() - at - kLengthBytes;
  if (length > std::numeric_limits<uint32_t>::max()) {
    throw ProtocolError(ErrorCode::FrameTooLarge,
                        str("remote: frame of ", length, " bytes exceeds the u32 length prefix"));
  }
  const auto len32 = static_cast<uint32_t>(length);
  internal::copy_le<uint32_t>(out.data() + at, &len32, 1);
}

// Raw element data of a contiguous tensor, in its own dtype.
void put_tensor_data(Writer& w, const Tensor& t) {
  const Tensor c = t.contiguous();
  const auto n = static_cast<size_t>(c.numel());
  switch (c.dtype()) {
    case Dtype::Float32:
      w.put_array(c.data<float>(), n);
      break;
    case Dtype::Float64:
      w.put_array(c.data<double>(), n);
      break;
    case Dtype::Int64:
      w.put_array(c.data<int64_t>(), n);
      break;
    case Dtype::UInt8:
      w.put_array(c.data<uint8_t>(), n);
      break;
    case Dtype::Bool: {
      const bool* b = c.data<bool>();
      for (size_t i = 0; i < n; ++i) w.put_bool(b[i]);
      break;
    }
  }
}

// Reads `n` elements of t's dtype into t's data starting at element `first` (t contiguous).
void get_tensor_data(Reader& r, Tensor& t, int64_t first, int64_t n, const char* field) {
  const auto count = static_cast<size_t>(n);
  switch (t.dtype()) {
    case Dtype::Float32:
      r.get_array(t.data<float>() + first, count, field);
      break;
    case Dtype::Float64:
      r.get_array(t.data<double>() + first, count, field);
      break;
    case Dtype::Int64:
      r.get_array(t.data<int64_t>() + first, count, field);
      break;
    case Dtype::UInt8:
      r.get_array(t.data<uint8_t>() + first, count, field);
      break;
    case Dtype::Bool: {
      bool* b = t.data<bool>() + first;
      for (size_t i = 0; i < count; ++i) b[i] = r.get_bool(field);
      break;
    }
  }
}

// rank u8, then that many i64 dims; numel is checked against the bytes left.
Shape get_shape(Reader& r, const char* field, size_t element_bytes) {
  const uint8_t rank = r.get<uint8_t>(field);
  if (rank > kMaxDims) r.fail(str(field, ": rank ", int(rank), " exceeds ", kMaxDims));
  Shape shape;
  uint64_t numel = 1;
  for (uint8_t i = 0; i < rank; ++i) {
    const int64_t d = r.get<int64_t>(field);
    if (d < 0) r.fail(str(field, ": negative dimension ", d));
    shape.push_back(d);
    // Overflow-safe running product, bounded by what the frame can still hold.
    if (d != 0 && numel > r.remaining() / static_cast<uint64_t>(d)) {
      numel = std::numeric_limits<uint64_t>::max();
    } else {
      numel *= static_cast<uint64_t>(d);
    }
  }
  if (element_bytes > 0 && numel > r.remaining() / element_bytes) {
    r.fail(str(field, ": shape ", to_string(shape), " needs more bytes than the frame holds"));
  }
  return shape;
}

void put_space(Writer& w, const Space& space) {
  w.put<uint8_t>(static_cast<uint8_t>(space.kind()));
  switch (space.kind()) {
    case SpaceKind::Discrete:
      w.put<int64_t>(space.discrete().n);
      w.put<int64_t>(space.discrete().start);
      break;
    case SpaceKind::Box: {
      const Box& b = space.box();
      w.put<uint8_t>(dtype_code(b.dtype));
      w.put<uint8_t>(static_cast<uint8_t>(b.shape.size()));
      for (int64_t d : b.shape) w.put<int64_t>(d);
      w.put_array(b.low.data(), b.low.size());
      w.put_array(b.high.data(), b.high.size());
      break;
    }
    case SpaceKind::MultiDiscrete: {
      const auto& nvec = space.multi_discrete().nvec;
      w.put<uint32_t>(static_cast<uint32_t>(nvec.size()));
      w.put_array(nvec.data(), nvec.size());
      break;
    }
  }
}

Space get_space(Reader& r, const char* field) {
  const uint8_t kind = r.get<uint8_t>(field);
  try {
    switch (kind) {
      case 0: {
        const int64_t n = r.get<int64_t>(field);
        const int64_t start = r.get<int64_t>(field);
        return Discrete(n, start);
      }
      case 1: {
        const Dtype dtype = read_dtype(r, field, false);
        const Shape shape = get_shape(r, field, 16);  // low and high, f64 each
        std::vector<double> low(static_cast<size_t>(shape.numel()));
        std::vector<double> high(low.size());
        r.get_array(low.data(), low.size(), field);
        r.get_array(high.data(), high.size(), field);
        return Box(std::move(low), std::move(high), shape, dtype);
      }
      case 2: {
        std::vector<int64_t> nvec(r.get_count(field, 8));
        r.get_array(nvec.data(), nvec.size(), field);
        return MultiDiscrete(std::move(nvec));
      }
      default:
        break;
    }
  } catch (const ProtocolError&) {
    throw;
  } catch (const Error& e) {  // a space constructor rejected the values
    r.fail(str(field, ": ", e.what()));
  }
  r.fail(str(field, ": unknown space kind ", int(kind)));
}

void put_info(Writer& w, const Info& info) {
  if (info.size() > kMaxInfoEntries) {
    throw Error(str("remote: an info with ", info.size(), " entries cannot be sent (at most ",
                    kMaxInfoEntries, " per env; put many values in one tensor entry)"));
  }
  w.put<uint16_t>(static_cast<uint16_t>(info.size()));
  for (const Info::Entry& e : info.entries()) {
    w.put_string(e.key);
    if (e.tensor.defined()) {
      w.put<uint8_t>(1);
      w.put<uint8_t>(dtype_code(e.tensor.dtype()));
      w.put<uint8_t>(static_cast<uint8_t>(e.tensor.dim()));
      for (int64_t d : e.tensor.shape()) w.put<int64_t>(d);
      put_tensor_data(w, e.tensor);
    } else {
      w.put<uint8_t>(0);
      w.put<double>(e.number);
    }
  }
}

void get_info(Reader& r, Info& info) {
  info.clear();
  const uint16_t count = r.get<uint16_t>("info count");
  // Info::set looks the key up among the entries already set, so the cap keeps decoding linear
  // in the frame's length: at most kMaxInfoEntries key comparisons per entry. (A 16 MiB frame
  // built for the worst case, 64-entry infos with keys of one length, decodes in 0.4 s, 1.4 s
  // with a cap of 256; one 983 KB info of 65535 entries took 10-20 s without a cap.)
  if (count > kMaxInfoEntries) {
    r.fail(str("an info with ", count, " entries (at most ", kMaxInfoEntries, ")"));
  }
  for (uint16_t i = 0; i < count; ++i) {
    const std::string_view key = r.get_string_view("info key");
    const size_t before = info.size();
    const uint8_t kind = r.get<uint8_t>("info kind");
    if (kind == 0) {
      info.set(key, r.get<double>("info number"));
    } else if (kind == 1) {
      const Dtype dtype = read_dtype(r, "info tensor dtype", true);
      const Shape shape = get_shape(r, "info tensor shape", element_size(dtype));
      Tensor t(shape, dtype);
      get_tensor_data(r, t, 0, t.numel(), "info tensor data");
      info.set(key, t);
    } else {
      r.fail(str("info entry '", key, "': unknown kind ", int(kind)));
    }
    if (info.size() == before) r.fail(str("info key '", key, "' appears twice"));
  }
}

void check_rows(const Layout& layout, const Tensor& t, const char* what) {
  if (!t.defined() || t.dtype() != layout.obs_dtype ||
      t.numel() != layout.num_envs * layout.obs_numel) {
    throw Error(str("remote: ", what, " must hold ", layout.num_envs, " observations of shape ",
                    to_string(layout.obs_shape), " ", dtype_name(layout.obs_dtype)));
  }
}

void encode_batch(const Layout& layout, const Batch& batch, bool step, std::vector<uint8_t>& out) {
  check_rows(layout, batch.obs, "batch.obs");
  const auto n = static_cast<size_t>(layout.num_envs);
  const size_t at = begin_frame(out, step ? FrameType::StepResult : FrameType::ResetResult);
  Writer w(out);
  w.put<uint32_t>(static_cast<uint32_t>(n));
  put_tensor_data(w, batch.obs);
  if (step) {
    w.put_array(batch.rewards.data(), n);
    w.put_array(batch.flags.data(), n);
  }
  for (size_t i = 0; i < n; ++i) put_info(w, batch.infos[i]);
  if (step && layout.autoreset) {
    const Tensor final_obs = batch.final_obs.contiguous();
    for (size_t i = 0; i < n; ++i) {
      if (batch.flags[i] == 0) continue;
      put_tensor_data(w, final_obs.select(0, static_cast<int64_t>(i)));
      put_info(w, batch.final_infos[i]);
    }
  }
  end_frame(out, at);
}

void decode_batch(Reader& r, const Layout& layout, bool step, Batch& batch) {
  batch.resize(layout);
  const uint32_t n = r.get<uint32_t>("num_envs");
  if (n != layout.num_envs) {
    r.fail(str("carries ", n, " envs, the session has ", layout.num_envs));
  }
  get_tensor_data(r, batch.obs, 0, batch.obs.numel(), "observations");
  if (step) {
    r.get_array(batch.rewards.data(), n, "rewards");
    r.get_array(batch.flags.data(), n, "flags");
    for (uint32_t i = 0; i < n; ++i) {
      if (batch.flags[i] > 3)
        r.fail(str("flags[", i, "] = ", int(batch.flags[i]), " (only bits 0, 1)"));
    }
  } else {
    std::fill(batch.rewards.begin(), batch.rewards.end(), 0.0);
    std::fill(batch.flags.begin(), batch.flags.end(), uint8_t{0});
  }
  for (uint32_t i = 0; i < n; ++i) get_info(r, batch.infos[i]);
  if (step && layout.autoreset) {
    for (uint32_t i = 0; i < n; ++i) {
      if (batch.flags[i] == 0) continue;
      get_tensor_data(r, batch.final_obs, i * layout.obs_numel, layout.obs_numel,
                      "final observation");
      get_info(r, batch.final_infos[i]);
    }
  }
}

}  // namespace

const char* frame_type_name(FrameType type) {
  switch (type) {
    case FrameType::Hello:
      return "Hello";
    case FrameType::Welcome:
      return "Welcome";
    case FrameType::Reset:
      return "Reset";
    case FrameType::Step:
      return "Step";
    case FrameType::ResetResult:
      return "ResetResult";
    case FrameType::StepResult:
      return "StepResult";
    case FrameType::Close:
      return "Close";
    case FrameType::Error:
      return "Error";
  }
  return "unknown";
}

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::MalformedFrame:
      return "MalformedFrame";
    case ErrorCode::FrameTooLarge:
      return "FrameTooLarge";
    case ErrorCode::Unauthorized:
      return "Unauthorized";
    case ErrorCode::VersionMismatch:
      return "VersionMismatch";
    case ErrorCode::UnexpectedFrame:
      return "UnexpectedFrame";
    case ErrorCode::EnvError:
      return "EnvError";
    case ErrorCode::ServerFull:
      return "ServerFull";
    case ErrorCode::Timeout:
      return "Timeout";
    case ErrorCode::BadRequest:
      return "BadRequest";
    case ErrorCode::ConnectionLost:
      return "ConnectionLost";
  }
  return "unknown";
}

Layout::Layout(const Welcome& welcome)
    : num_envs(welcome.num_envs),
      autoreset(welcome.autoreset),
      observation_space(welcome.observation_space),
      action_space(welcome.action_space),
      obs_shape(welcome.observation_space.shape()),
      obs_dtype(welcome.observation_space.dtype()),
      obs_numel(welcome.observation_space.shape().numel()),
      action_numel(welcome.action_space.flat_dim()) {}

void Batch::resize(const Layout& layout) {
  Shape rows{layout.num_envs};
  for (int64_t d : layout.obs_shape) rows.push_back(d);
  if (!obs.defined() || !(obs.shape() == rows) || obs.dtype() != layout.obs_dtype) {
    obs = zeros(rows, layout.obs_dtype);
    final_obs = zeros(rows, layout.obs_dtype);
  }
  const auto n = static_cast<size_t>(layout.num_envs);
  rewards.resize(n);
  flags.resize(n);
  infos.resize(n);
  final_infos.resize(n);
}

Tensor make_action_buffer(const Layout& layout) {
  Shape shape{layout.num_envs};
  if (layout.action_space.is_discrete()) return zeros(shape, Dtype::Int64);
  for (int64_t d : layout.action_space.shape()) shape.push_back(d);
  return zeros(shape, layout.action_space.is_box() ? Dtype::Float32 : Dtype::Int64);
}

void encode_hello(const Hello& hello, std::vector<uint8_t>& out) {
  constexpr size_t kFixed = 1 + 4 + 2 + 4 + 4 + 1;  // type, magic, version, token length, ...
  if (kFixed + hello.token.size() > kMaxHandshakeFrameBytes) {
    throw Error(str("remote: a token of ", hello.token.size(), " bytes is too long (at most ",
                    kMaxHandshakeFrameBytes - kFixed, ")"));
  }
  const size_t at = begin_frame(out, FrameType::Hello);
  Writer w(out);
  w.put_array(kMagic, 4);
  w.put<uint16_t>(hello.version);
  w.put_string(hello.token);
  w.put<uint32_t>(hello.num_envs);
  w.put_bool(hello.autoreset);
  end_frame(out, at);
}

void encode_welcome(const Welcome& welcome, std::vector<uint8_t>& out) {
  const size_t at = begin_frame(out, FrameType::Welcome);
  Writer w(out);
  w.put<uint16_t>(welcome.version);
  w.put_string(welcome.env_id);
  w.put<uint32_t>(welcome.num_envs);
  w.put_bool(welcome.autoreset);
  put_space(w, welcome.observation_space);
  put_space(w, welcome.action_space);
  w.put_bool(welcome.max_episode_steps.has_value());
  w.put<int64_t>(welcome.max_episode_steps.value_or(0));
  w.put_bool(welcome.reward_threshold.has_value());
  w.put<double>(welcome.reward_threshold.value_or(0.0));
  w.put<uint32_t>(welcome.max_frame_bytes);
  end_frame(out, at);
}

void encode_reset(const ResetRequest& reset, std::vector<uint8_t>& out) {
  size_t bytes = 1 + 1 + 8 + 4;  // type, has_seed, seed, n_options
  for (const auto& [k, v] : reset.options) bytes += 8 + k.size() + v.size();
  if (reset.options.size() > kMaxResetOptions || bytes > kMaxResetFrameBytes) {
    throw Error(str("remote reset: ", reset.options.size(), " options in ", bytes,
                    " bytes exceed the protocol's limit (", kMaxResetOptions, " options, ",
                    kMaxResetFrameBytes, " bytes)"));
  }
  const size_t at = begin_frame(out, FrameType::Reset);
  Writer w(out);
  w.put_bool(reset.seed.has_value());
  w.put<uint64_t>(reset.seed.value_or(0));
  w.put<uint32_t>(static_cast<uint32_t>(reset.options.size()));
  for (const auto& [k, v] : reset.options) {
    w.put_string(k);
    w.put_string(v);
  }
  end_frame(out, at);
}

void encode_step(const Layout& layout, const Tensor& actions, std::vector<uint8_t>& out) {
  const Dtype want = layout.action_space.is_box() ? Dtype::Float32 : Dtype::Int64;
  if (!actions.defined() || actions.dtype() != want ||
      actions.numel() != layout.num_envs * layout.action_numel) {
    throw Error(str("remote step: actions must be ", dtype_name(want), " with ", layout.num_envs,
                    " x ", layout.action_numel, " values for ", layout.action_space.to_string(),
                    ", got ", actions.defined() ? dtype_name(actions.dtype()) : "undefined",
                    actions.defined() ? " " + to_string(actions.shape()) : ""));
  }
  const size_t at = begin_frame(out, FrameType::Step);
  Writer w(out);
  w.put<uint32_t>(static_cast<uint32_t>(layout.num_envs));
  put_tensor_data(w, actions);
  end_frame(out, at);
}

void encode_step(const Layout& layout, const Action& action, std::vector<uint8_t>& out) {
  if (layout.num_envs != 1) {
    throw Error(str("remote step: a single action needs a 1-env session, this one has ",
                    layout.num_envs, " envs"));
  }
  check_action(layout.action_space, action, "remote step");
  const size_t at = begin_frame(out, FrameType::Step);
  Writer w(out);
  w.put<uint32_t>(1);
  switch (action.kind()) {
    case Action::Kind::Discrete:
      w.put<int64_t>(action.index());
      break;
    case Action::Kind::Continuous:
      w.put_array(action.values().data(), action.values().size());
      break;
    case Action::Kind::MultiDiscrete:
      w.put_array(action.int_values().data(), action.int_values().size());
      break;
  }
  end_frame(out, at);
}

void encode_reset_result(const Layout& layout, const Batch& batch, std::vector<uint8_t>& out) {
  encode_batch(layout, batch, false, out);
}

void encode_step_result(const Layout& layout, const Batch& batch, std::vector<uint8_t>& out) {
  encode_batch(layout, batch, true, out);
}

void encode_close(std::vector<uint8_t>& out) { end_frame(out, begin_frame(out, FrameType::Close)); }

void encode_error(const ErrorFrame& error, std::vector<uint8_t>& out) {
  const size_t at = begin_frame(out, FrameType::Error);
  Writer w(out);
  w.put<uint16_t>(static_cast<uint16_t>(error.code));
  w.put_string(error.message);
  end_frame(out, at);
}

uint32_t decode_length(std::span<const uint8_t, kLengthBytes> prefix, uint32_t max_frame_bytes) {
  uint32_t length = 0;
  internal::copy_le<uint32_t>(&length, prefix.data(), 1);
  if (length == 0) {
    throw ProtocolError(ErrorCode::MalformedFrame, "remote: frame of length 0 (no type byte)");
  }
  if (length > max_frame_bytes) {
    throw ProtocolError(
        ErrorCode::FrameTooLarge,
        str("remote: frame of ", length, " bytes exceeds max_frame_bytes ", max_frame_bytes));
  }
  return length;
}

FrameType decode_frame(std::span<const uint8_t> frame, const Layout* layout, Frame& out) {
  if (frame.empty()) throw ProtocolError(ErrorCode::MalformedFrame, "remote: empty frame");
  const auto type = static_cast<FrameType>(frame[0]);
  const char* name = frame_type_name(type);
  if (std::string_view(name) == "unknown") {
    throw ProtocolError(ErrorCode::MalformedFrame,
                        str("remote: unknown frame type ", int(frame[0])));
  }
  Reader r(frame.subspan(1), name);
  const bool needs_layout =
      type == FrameType::Step || type == FrameType::ResetResult || type == FrameType::StepResult;
  if (needs_layout && layout == nullptr) {
    throw ProtocolError(ErrorCode::UnexpectedFrame,
                        str("remote: ", name, " frame before the handshake"));
  }
  switch (type) {
    case FrameType::Hello: {
      uint8_t magic[4];
      r.get_array(magic, 4, "magic");
      if (std::memcmp(magic, kMagic, 4) != 0) {
        throw ProtocolError(ErrorCode::VersionMismatch,
                            "remote: Hello without the 'REIN' magic: not a rein client");
      }
      out.hello.version = r.get<uint16_t>("version");
      if (out.hello.version != kProtocolVersion) break;  // the server answers VersionMismatch
      out.hello.token = r.get_string("token");
      out.hello.num_envs = r.get<uint32_t>("num_envs");
      out.hello.autoreset = r.get_bool("autoreset");
      r.finish();
      break;
    }
    case FrameType::Welcome: {
      Welcome& w = out.welcome;
      w.version = r.get<uint16_t>("version");
      if (w.version != kProtocolVersion) {
        throw ProtocolError(ErrorCode::VersionMismatch,
                            str("remote: server speaks protocol version ", w.version,
                                ", this client version ", kProtocolVersion));
      }
      w.env_id = r.get_string("env_id");
      w.num_envs = r.get<uint32_t>("num_envs");
      if (w.num_envs == 0) r.fail("num_envs is 0");
      w.autoreset = r.get_bool("autoreset");
      w.observation_space = get_space(r, "observation_space");
      w.action_space = get_space(r, "action_space");
      const bool has_steps = r.get_bool("has_max_episode_steps");
      const auto steps = r.get<int64_t>("max_episode_steps");
      w.max_episode_steps = has_steps ? std::optional<int64_t>(steps) : std::nullopt;
      const bool has_threshold = r.get_bool("has_reward_threshold");
      const auto threshold = r.get<double>("reward_threshold");
      w.reward_threshold = has_threshold ? std::optional<double>(threshold) : std::nullopt;
      w.max_frame_bytes = r.get<uint32_t>("max_frame_bytes");
      r.finish();
      break;
    }
    case FrameType::Reset: {
      const bool has_seed = r.get_bool("has_seed");
      const auto seed = r.get<uint64_t>("seed");
      out.reset.seed = has_seed ? std::optional<uint64_t>(seed) : std::nullopt;
      out.reset.options.clear();
      const size_t n = r.get_count("options", 8);
      if (n > kMaxResetOptions) r.fail(str(n, " options (at most ", kMaxResetOptions, ")"));
      for (size_t i = 0; i < n; ++i) {
        std::string key = r.get_string("option key");
        std::string value = r.get_string("option value");
        if (!out.reset.options.try_emplace(key, std::move(value)).second) {
          r.fail(str("option '", key, "' appears twice"));
        }
      }
      r.finish();
      break;
    }
    case FrameType::Step: {
      const uint32_t n = r.get<uint32_t>("num_envs");
      if (n != layout->num_envs) {
        r.fail(str("carries ", n, " actions, the session has ", layout->num_envs, " envs"));
      }
      Tensor& a = out.actions;
      if (!a.defined() || a.numel() != layout->num_envs * layout->action_numel) {
        a = make_action_buffer(*layout);
      }
      get_tensor_data(r, a, 0, a.numel(), "actions");
      r.finish();
      break;
    }
    case FrameType::ResetResult:
    case FrameType::StepResult:
      decode_batch(r, *layout, type == FrameType::StepResult, out.batch);
      r.finish();
      break;
    case FrameType::Close:
      r.finish();
      break;
    case FrameType::Error:
      out.error.code = static_cast<ErrorCode>(r.get<uint16_t>("code"));
      out.error.message = r.get_string("message");
      r.finish();
      break;
  }
  out.type = type;
  return type;
}

}  // namespace rein::envs::remote
