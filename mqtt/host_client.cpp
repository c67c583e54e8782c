#include "mqtt/host_client.hpp"

#include <algorithm>

#include <mqtt/async_client.h>

#include "sparkplug/payload_codec.hpp"
#include "sparkplug/topic.hpp"

namespace floe::mqtt_link {

namespace {

uint64_t now_ms() {
  using namespace std::chrono;
  return static_cast<uint64_t>(
    duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

std::string state_json(bool online, uint64_t ts) {
  return sparkplug::encode_state(sparkplug::state_payload{online, ts});
}

// Calls `done` once with the outcome of one subscribe, on paho's thread, then deletes itself
// (paho holds only a reference to its listener).
class subscribe_listener final : public ::mqtt::iaction_listener {
public:
  explicit subscribe_listener(std::function<void(bool)> done) : done_(std::move(done)) {}
  void on_success(const ::mqtt::token&) override { finish(true); }
  void on_failure(const ::mqtt::token&) override { finish(false); }

private:
  void finish(bool ok) {
    auto done = std::move(done_);
    delete this;
    done(ok);
  }
  std::function<void(bool)> done_;
};

} // namespace

host_client::host_client(host_client_options opts, message_handler on_message,
                         status_handler on_status)
  : opts_(std::move(opts)), on_message_(std::move(on_message)), on_status_(std::move(on_status)) {
  state_topic_ = std::string(sparkplug::topic_namespace) + "/STATE/" + opts_.host_id;
}

host_client::~host_client() {
  stop();
}

std::string host_client::start() {
  if (auto ok = sparkplug::validate_id(opts_.host_id); !ok)
    return "invalid Sparkplug host id '" + opts_.host_id + "': " + to_string(ok.error());
  if (opts_.subscribe_qos < 0 || opts_.subscribe_qos > 1)
    return "subscribe QoS must be 0 or 1";
  if (opts_.reconnect_min_ms <= 0 || opts_.reconnect_max_ms < opts_.reconnect_min_ms)
    return "reconnect delays must satisfy 0 < min <= max";
  std::string client_id = opts_.client_id.empty() ? "floe-" + opts_.host_id : opts_.client_id;
  try {
    // No persistence: QoS 0/1 messages of a dead session are of no use to a host that re-births.
    client_ = std::make_unique<::mqtt::async_client>(opts_.broker_uri, client_id,
                                                     ::mqtt::create_options(MQTTVERSION_3_1_1),
                                                     nullptr);
  } catch (const std::exception& e) {
    return "cannot create MQTT client for '" + opts_.broker_uri + "': " + e.what();
  }
  client_->set_message_callback([this](::mqtt::const_message_ptr msg) {
    on_message(msg->get_topic(), msg->get_payload_str());
  });
  client_->set_connection_lost_handler([this](const std::string& cause) {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      lost_ = true;
    }
    connected_ = false;
    ++connection_losses_;
    wake_.notify_all();
    if (on_status_)
      on_status_(false, cause.empty() ? "connection lost" : cause);
  });
  loop_ = std::thread([this] { connection_loop(); });
  return {};
}

void host_client::stop(std::chrono::milliseconds timeout) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (stopping_ || !loop_.joinable())
      return;
    stopping_ = true;
  }
  wake_.notify_all();
  loop_.join();
  if (client_ && client_->is_connected()) {
    try {
      // Spec: a clean shutdown publishes an explicit death with the current time first.
      auto tok = client_->publish(state_topic_, state_json(false, now_ms()), 1, true);
      tok->wait_for(timeout);
      client_->disconnect()->wait_for(timeout);
    } catch (const std::exception&) {
      // The broker will publish our Will instead.
    }
  }
  connected_ = false;
}

void host_client::publish(const std::string& topic, const std::string& payload, int qos,
                          bool retain) {
  if (!connected_) {
    ++publish_failures_;
    return;
  }
  try {
    client_->publish(topic, payload.data(), payload.size(), qos, retain);
    ++publishes_;
  } catch (const std::exception&) {
    ++publish_failures_;
  }
}

void host_client::subscribe(const std::string& filter, std::function<void(bool)> on_subscribed) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (!filters_.insert(filter).second)
      return;
  }
  if (connected_) {
    try {
      if (on_subscribed) {
        auto* listener = new subscribe_listener(std::move(on_subscribed));
        try {
          client_->subscribe(filter, opts_.subscribe_qos, nullptr, *listener);
        } catch (...) {
          delete listener;
          throw;
        }
      } else {
        client_->subscribe(filter, opts_.subscribe_qos);
      }
    } catch (const std::exception&) {
      // Re-applied on the next reconnect.
    }
  }
}

void host_client::unsubscribe(const std::string& filter) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (filters_.erase(filter) == 0)
      return;
  }
  if (connected_) {
    try {
      client_->unsubscribe(filter);
    } catch (const std::exception&) {
      // The filter is gone from our set; a reconnect will not restore it.
    }
  }
}

host_client_stats host_client::stats() const {
  host_client_stats s;
  s.messages_in = messages_in_;
  s.publishes = publishes_;
  s.publish_failures = publish_failures_;
  s.connects = connects_;
  s.connection_losses = connection_losses_;
  s.state_reasserts = state_reasserts_;
  s.connected = connected_;
  return s;
}

void host_client::on_message(const std::string& topic, const std::string& payload) {
  if (topic == state_topic_) {
    // Another client (or our own stale Will) says we are offline: re-assert the birth, as the
    // spec requires, with the timestamp of the current session.
    auto st = sparkplug::decode_state(payload);
    if (st && !st->online && connected_) {
      ++state_reasserts_;
      publish_birth();
    }
    return;
  }
  ++messages_in_;
  if (on_message_)
    on_message_(topic, payload);
}

void host_client::publish_birth() {
  uint64_t ts;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    ts = birth_timestamp_ms_;
  }
  client_->publish(state_topic_, state_json(true, ts), 1, true);
}

bool host_client::connect_once(std::string& reason) {
  auto ts = now_ms();
  {
    std::lock_guard<std::mutex> guard{mtx_};
    birth_timestamp_ms_ = ts;
    lost_ = false; // a loss from here on wakes the connection loop
  }
  ::mqtt::connect_options opts;
  opts.set_clean_session(true);
  opts.set_keep_alive_interval(std::chrono::seconds(opts_.keep_alive_s));
  opts.set_connect_timeout(std::chrono::milliseconds(defaults::mqtt::connect_timeout_ms));
  opts.set_automatic_reconnect(false); // every CONNECT needs a fresh Will timestamp
  opts.set_will(::mqtt::will_options(state_topic_, state_json(false, ts), 1, true));
  if (!opts_.username.empty())
    opts.set_user_name(opts_.username);
  if (!opts_.password.empty())
    opts.set_password(opts_.password);
  // TLS whenever the URI asks for it (the system's trust store unless a CA file is given) or
  // certificate files are configured.
  auto uri_has_tls = opts_.broker_uri.rfind("ssl://", 0) == 0
                     || opts_.broker_uri.rfind("mqtts://", 0) == 0;
  if (uri_has_tls || !opts_.tls_ca_file.empty() || !opts_.tls_cert_file.empty()) {
    ::mqtt::ssl_options ssl;
    if (!opts_.tls_ca_file.empty())
      ssl.set_trust_store(opts_.tls_ca_file);
    if (!opts_.tls_cert_file.empty())
      ssl.set_key_store(opts_.tls_cert_file);
    if (!opts_.tls_key_file.empty())
      ssl.set_private_key(opts_.tls_key_file);
    opts.set_ssl(ssl);
  }
  const auto limit = std::chrono::milliseconds(defaults::mqtt::connect_timeout_ms);
  try {
    auto tok = client_->connect(opts);
    if (!tok->wait_for(limit)) {
      reason = "CONNECT to " + opts_.broker_uri + " timed out";
      return false;
    }
    std::vector<std::string> filters;
    {
      std::lock_guard<std::mutex> guard{mtx_};
      filters.assign(filters_.begin(), filters_.end());
    }
    // Spec 3.0 order: subscribe (own STATE + namespace) before publishing the STATE birth.
    client_->subscribe(state_topic_, 1)->wait_for(limit);
    for (const auto& f : filters)
      client_->subscribe(f, opts_.subscribe_qos)->wait_for(limit);
    connected_ = true;
    publish_birth();
    ++connects_;
    return true;
  } catch (const ::mqtt::exception& e) {
    reason = "cannot connect to " + opts_.broker_uri + ": " + e.what();
    // MQTT 3.1.1 CONNACK codes, as an operator reads them.
    switch (e.get_reason_code()) {
      case 1: reason += " (the broker refuses MQTT 3.1.1)"; break;
      case 2: reason += " (client id rejected; is another host using it?)"; break;
      case 3: reason += " (broker unavailable)"; break;
      case 4: reason += " (bad username or password)"; break;
      case 5: reason += " (not authorized: check --mqtt-username/--mqtt-password)"; break;
      default: break;
    }
    connected_ = false;
    return false;
  }
}

void host_client::connection_loop() {
  int backoff_ms = opts_.reconnect_min_ms;
  std::string last_reason;
  for (;;) {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      if (stopping_)
        return;
    }
    std::string reason;
    if (connect_once(reason)) {
      backoff_ms = opts_.reconnect_min_ms;
      last_reason.clear();
      if (on_status_)
        on_status_(true, "connected to " + opts_.broker_uri);
      std::unique_lock<std::mutex> guard{mtx_};
      wake_.wait(guard, [this] { return stopping_ || lost_; });
      if (stopping_)
        return;
      continue;
    }
    // Report a failure once per distinct reason, not on every retry.
    if (on_status_ && reason != last_reason)
      on_status_(false, reason);
    last_reason = reason;
    std::unique_lock<std::mutex> guard{mtx_};
    wake_.wait_for(guard, std::chrono::milliseconds(backoff_ms), [this] { return stopping_; });
    backoff_ms = std::min(backoff_ms * 2, opts_.reconnect_max_ms);
  }
}

} // namespace floe::mqtt_link
