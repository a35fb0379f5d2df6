// The client side of one protocol session: handshake, reset and step round trips, and the
// translation of Error frames and broken connections into ProtocolError. RemoteEnv and
// RemoteVectorEnv are thin adapters over it.
#pragma once

#include <string>
#include <vector>

#include "envs/remote/internal/connection.h"
#include "envs/remote/protocol.h"
#include "envs/remote/remote_env.h"

namespace rein::envs::remote::internal {

class Client {
 public:
  // Connects and handshakes; throws ProtocolError (Unauthorized, VersionMismatch, ...).
  Client(const Url& url, const ClientOptions& options, uint32_t num_envs, bool autoreset);
  ~Client();  // sends Close when the session is still healthy

  const Welcome& welcome() const { return welcome_; }
  const Layout& layout() const { return layout_; }
  const std::string& peer() const { return conn_.peer(); }
  const Batch& batch() const { return frame_.batch; }  // the last result

  const Batch& reset(const ResetRequest& request);
  const Batch& step(const Tensor& actions);  // as make_action_buffer(layout())
  const Batch& step(const Action& action);   // 1-env sessions

 private:
  const Batch& round_trip(FrameType expect, const char* op);
  [[noreturn]] void fail(const ProtocolError& e);

  ClientOptions options_;
  Connection conn_;
  std::vector<uint8_t> out_;
  Frame frame_;
  Welcome welcome_;
  Layout layout_;
  std::string broken_;  // the error that closed the session, repeated by later calls
  ErrorCode broken_code_ = ErrorCode::ConnectionLost;
};

}  // namespace rein::envs::remote::internal
