// The client side of a protocol session (see internal/client.h).
#include "envs/remote/internal/client.h"

namespace rein::envs::remote::internal {

Client::Client(const Url& url, const ClientOptions& options, uint32_t num_envs, bool autoreset)
    : options_(options), conn_(url.host, url.port, options.connect_timeout_ms, options.timeout_ms) {
  try {
    encode_hello(Hello{.token = options.token, .num_envs = num_envs, .autoreset = autoreset}, out_);
    conn_.send(out_, "the handshake");
    const auto bytes = conn_.receive(options_.max_frame_bytes, "the handshake", nullptr);
    const FrameType type = decode_frame(bytes, nullptr, frame_);
    if (type == FrameType::Error) {
      throw ProtocolError(frame_.error.code, str("remote env ", peer(),
                                                 ": the server refused the "
                                                 "connection: ",
                                                 frame_.error.message));
    }
    if (type != FrameType::Welcome) {
      throw ProtocolError(ErrorCode::UnexpectedFrame,
                          str("remote env ", peer(), ": expected Welcome, the server sent ",
                              frame_type_name(type)));
    }
    welcome_ = frame_.welcome;
    if (welcome_.num_envs != num_envs && num_envs != 0) {
      throw ProtocolError(ErrorCode::BadRequest,
                          str("remote env ", peer(), ": asked for ", num_envs,
                              " envs, the server gave ", welcome_.num_envs));
    }
    layout_ = Layout(welcome_);
    // A server could announce spaces whose results would never fit a frame we accept.
    const double row_bytes = static_cast<double>(layout_.obs_numel) *
                             static_cast<double>(element_size(layout_.obs_dtype));
    if (2.0 * row_bytes * static_cast<double>(layout_.num_envs) > options_.max_frame_bytes) {
      throw ProtocolError(ErrorCode::BadRequest,
                          str("remote env ", peer(), ": ", layout_.num_envs, " observations of ",
                              layout_.observation_space.to_string(), " exceed max_frame_bytes ",
                              options_.max_frame_bytes));
    }
    frame_.batch.resize(layout_);
  } catch (const ProtocolError& e) {
    conn_.close();
    if (std::string_view(e.what()).starts_with("remote env ")) throw;
    throw ProtocolError(e.code(), str("remote env ", peer(), ": ", e.what()));
  }
}

Client::~Client() {
  if (!broken_.empty()) return;
  try {
    out_.clear();
    encode_close(out_);
    conn_.send(out_, "close");
  } catch (const std::exception&) {  // the server is gone already: nothing left to close
  }
  conn_.close();
}

void Client::fail(const ProtocolError& e) {
  std::string message = e.what();
  if (!message.starts_with("remote env ")) message = str("remote env ", peer(), ": ", message);
  if (e.code() != ErrorCode::EnvError) {
    broken_ = message;
    broken_code_ = e.code();
    conn_.close();
  }
  throw ProtocolError(e.code(), message);
}

const Batch& Client::round_trip(FrameType expect, const char* op) {
  try {
    conn_.send(out_, op);
    const auto bytes = conn_.receive(options_.max_frame_bytes, op, &layout_);
    const FrameType type = decode_frame(bytes, &layout_, frame_);
    if (type == FrameType::Error) {
      throw ProtocolError(frame_.error.code,
                          str("remote env ", peer(), ": ", op, " failed on the server (",
                              error_code_name(frame_.error.code), "): ", frame_.error.message));
    }
    if (type != expect) {
      throw ProtocolError(ErrorCode::UnexpectedFrame,
                          str("remote env ", peer(), ": expected ", frame_type_name(expect),
                              " after ", op, ", the server sent ", frame_type_name(type)));
    }
  } catch (const ProtocolError& e) {
    fail(e);
  }
  return frame_.batch;
}

const Batch& Client::reset(const ResetRequest& request) {
  if (!broken_.empty()) throw ProtocolError(broken_code_, broken_);
  out_.clear();
  encode_reset(request, out_);
  return round_trip(FrameType::ResetResult, "reset");
}

const Batch& Client::step(const Tensor& actions) {
  if (!broken_.empty()) throw ProtocolError(broken_code_, broken_);
  out_.clear();
  encode_step(layout_, actions, out_);
  return round_trip(FrameType::StepResult, "step");
}

const Batch& Client::step(const Action& action) {
  if (!broken_.empty()) throw ProtocolError(broken_code_, broken_);
  out_.clear();
  encode_step(layout_, action, out_);
  return round_trip(FrameType::StepResult, "step");
}

}  // namespace rein::envs::remote::internal
