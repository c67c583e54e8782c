#include "sim/paho_transport.hpp"

#include <mqtt/async_client.h>

#include <stdexcept>

namespace floe::sim {

namespace {

// A publish's user context carries the connection generation (low 16 bits) and the record tag
// (48 bits), so completions need no allocation and late ones of an earlier connection are
// recognised.
constexpr int tag_bits = 48;
constexpr uint64_t tag_mask = (uint64_t{1} << tag_bits) - 1;

void* publish_context(uint32_t generation, uint64_t tag) {
  uint64_t v = (uint64_t{generation & 0xFFFFu} << tag_bits) | (tag & tag_mask);
  return reinterpret_cast<void*>(static_cast<uintptr_t>(v));
}

void* generation_context(uint32_t generation) {
  return reinterpret_cast<void*>(static_cast<uintptr_t>(generation));
}

uint32_t context_generation(const mqtt::token& t) {
  return static_cast<uint32_t>(reinterpret_cast<uintptr_t>(t.get_user_context()));
}

std::string failure_text(const mqtt::token& t) {
  return "MQTT return code " + std::to_string(t.get_return_code());
}

} // namespace

class paho_transport::listeners {
public:
  explicit listeners(paho_transport& owner) : connect{owner}, subscribe{owner}, publish{owner} {}

  struct connect_listener final : mqtt::iaction_listener {
    paho_transport& owner;
    explicit connect_listener(paho_transport& o) : owner(o) {}
    void on_success(const mqtt::token& t) override {
      owner.on_connect_done(true, context_generation(t), {});
    }
    void on_failure(const mqtt::token& t) override {
      owner.on_connect_done(false, context_generation(t), "CONNECT failed: " + failure_text(t));
    }
  };
  struct subscribe_listener final : mqtt::iaction_listener {
    paho_transport& owner;
    explicit subscribe_listener(paho_transport& o) : owner(o) {}
    void on_success(const mqtt::token& t) override {
      owner.on_subscribe_done(true, context_generation(t), {});
    }
    void on_failure(const mqtt::token& t) override {
      owner.on_subscribe_done(false, context_generation(t),
                              "SUBSCRIBE failed: " + failure_text(t));
    }
  };
  struct publish_listener final : mqtt::iaction_listener {
    paho_transport& owner;
    explicit publish_listener(paho_transport& o) : owner(o) {}
    void on_success(const mqtt::token& t) override {
      owner.on_publish_done(true, t.get_user_context());
    }
    void on_failure(const mqtt::token& t) override {
      owner.on_publish_done(false, t.get_user_context());
    }
  };

  connect_listener connect;
  subscribe_listener subscribe;
  publish_listener publish;
};

paho_transport::paho_transport(paho_transport_options opts, uint32_t node, event_queue& events)
  : opts_(std::move(opts)), node_(node), events_(events) {
  listeners_ = std::make_unique<listeners>(*this);
  mqtt::create_options create(MQTTVERSION_3_1_1, opts_.max_buffered_messages);
  try {
    // No persistence: a simulated edge node keeps nothing across sessions but its bdSeq.
    client_ = std::make_unique<mqtt::async_client>(opts_.server_uri, opts_.client_id, create,
                                                   nullptr);
  } catch (const mqtt::exception& e) {
    throw std::runtime_error("cannot create an MQTT client for " + opts_.server_uri + ": "
                             + e.what());
  }
  client_->set_connection_lost_handler([this](const std::string& cause) {
    post(sim_event::kind::connection_lost, generation_.load(),
         cause.empty() ? std::string("connection lost") : cause);
  });
  client_->set_message_callback([this](mqtt::const_message_ptr msg) {
    sim_event e;
    e.what = sim_event::kind::message;
    e.node = node_;
    e.generation = generation_.load();
    e.topic = msg->get_topic();
    e.payload = msg->get_payload_str();
    events_.post(std::move(e));
  });
}

paho_transport::~paho_transport() {
  if (client_) {
    client_->set_connection_lost_handler(nullptr);
    client_->set_message_callback(nullptr);
  }
}

void paho_transport::post(sim_event::kind what, uint32_t generation, std::string reason) {
  sim_event e;
  e.what = what;
  e.node = node_;
  e.generation = generation;
  e.reason = std::move(reason);
  events_.post(std::move(e));
}

void paho_transport::connect(const connect_request& req) {
  // A DISCONNECT still waiting for its NDEATH's acknowledgement goes first.
  finish_disconnect(std::chrono::steady_clock::now() + std::chrono::seconds(1));
  generation_.store(req.generation);
  in_flight_.store(0);
  {
    std::lock_guard<std::mutex> guard(subscriptions_mutex_);
    subscriptions_ = req.subscriptions;
  }
  mqtt::connect_options opts;
  opts.set_mqtt_version(MQTTVERSION_3_1_1);
  opts.set_clean_session(true);
  opts.set_keep_alive_interval(opts_.keep_alive_s);
  opts.set_connect_timeout(opts_.connect_timeout_s);
  opts.set_automatic_reconnect(false);
  opts.set_will(mqtt::will_options(req.will_topic, req.will_payload.data(),
                                   req.will_payload.size(), 1, false));
  try {
    client_->connect(opts, generation_context(req.generation), listeners_->connect);
  } catch (const mqtt::exception& e) {
    post(sim_event::kind::connect_failed, req.generation,
         std::string("CONNECT not started: ") + e.what());
  }
}

void paho_transport::on_connect_done(bool ok, uint32_t generation, const std::string& reason) {
  if (!ok) {
    post(sim_event::kind::connect_failed, generation, reason);
    return;
  }
  std::vector<std::string> topics;
  {
    std::lock_guard<std::mutex> guard(subscriptions_mutex_);
    topics = subscriptions_;
  }
  if (topics.empty()) {
    post(sim_event::kind::connected, generation);
    return;
  }
  // Sparkplug: edge nodes subscribe NCMD/DCMD (and the primary host's STATE) at QoS 1.
  mqtt::iasync_client::qos_collection qos(topics.size(), 1);
  try {
    client_->subscribe(mqtt::string_collection::create(std::move(topics)), qos,
                       generation_context(generation), listeners_->subscribe);
  } catch (const mqtt::exception& e) {
    post(sim_event::kind::connect_failed, generation,
         std::string("SUBSCRIBE not started: ") + e.what());
  }
}

void paho_transport::on_subscribe_done(bool ok, uint32_t generation, const std::string& reason) {
  post(ok ? sim_event::kind::connected : sim_event::kind::connect_failed, generation, reason);
}

void paho_transport::on_publish_done(bool ok, void* context) {
  auto v = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(context));
  uint32_t generation = static_cast<uint32_t>(v >> tag_bits);
  if (generation == (generation_.load() & 0xFFFFu)) {
    // Never below zero, whatever order completions and reconnects interleave in.
    int64_t n = in_flight_.load(std::memory_order_relaxed);
    while (n > 0 && !in_flight_.compare_exchange_weak(n, n - 1, std::memory_order_relaxed)) {
    }
  }
  if (!ok) {
    sim_event e;
    e.what = sim_event::kind::delivery_failed;
    e.node = node_;
    e.generation = generation;
    e.tag = v & tag_mask;
    events_.post(std::move(e));
  }
}

publish_status paho_transport::publish(const topic_ref& topic, const std::string& payload,
                                       int qos, uint64_t tag) {
  uint32_t generation = generation_.load(std::memory_order_relaxed);
  in_flight_.fetch_add(1, std::memory_order_relaxed);
  try {
    auto token = client_->publish(mqtt::string_ref(topic), payload.data(), payload.size(), qos,
                                  false, publish_context(generation, tag), listeners_->publish);
    if (qos > 0)
      last_qos1_token_ = std::move(token);
  } catch (const mqtt::exception& e) {
    in_flight_.fetch_sub(1, std::memory_order_relaxed);
    switch (e.get_return_code()) {
      case MQTTASYNC_DISCONNECTED:
        return publish_status::not_connected;
      case MQTTASYNC_MAX_BUFFERED_MESSAGES:
        return publish_status::queue_full;
      default:
        return publish_status::failed;
    }
  }
  return publish_status::accepted;
}

size_t paho_transport::in_flight() const {
  int64_t n = in_flight_.load(std::memory_order_relaxed);
  return n > 0 ? static_cast<size_t>(n) : 0;
}

void paho_transport::disconnect(std::chrono::milliseconds grace) {
  // paho's own DISCONNECT timeout re-checks pending QoS 1 flows only about once per second, so
  // waiting for the NDEATH's PUBACK here and then disconnecting at once is much faster. The
  // QoS 0 messages before the NDEATH are written before it, in order.
  disconnect_requested_ = true;
  ack_deadline_ = std::chrono::steady_clock::now() + grace;
  if (!last_qos1_token_ || last_qos1_token_->is_complete())
    finish_disconnect(ack_deadline_);
}

bool paho_transport::finish_disconnect(std::chrono::steady_clock::time_point deadline) {
  using std::chrono::steady_clock;
  auto millis_until = [](steady_clock::time_point t) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(t - steady_clock::now());
    return std::max<long>(static_cast<long>(left.count()), 0);
  };
  if (disconnect_requested_) {
    disconnect_requested_ = false;
    if (last_qos1_token_) {
      try {
        last_qos1_token_->wait_for(millis_until(std::min(deadline, ack_deadline_)));
      } catch (const mqtt::exception&) {
        // Failed delivery: disconnect anyway.
      }
      last_qos1_token_.reset();
    }
    try {
      disconnect_token_ = client_->disconnect(0);
    } catch (const mqtt::exception&) {
      disconnect_token_.reset(); // not connected: nothing to wait for
    }
  }
  if (!disconnect_token_)
    return true;
  try {
    bool done = disconnect_token_->wait_for(millis_until(deadline));
    if (done)
      disconnect_token_.reset();
    return done;
  } catch (const mqtt::exception&) {
    disconnect_token_.reset();
    return true; // the disconnect failed: the connection is gone anyway
  }
}

bool paho_transport::wait_disconnected(std::chrono::steady_clock::time_point deadline) {
  return finish_disconnect(deadline);
}

bool paho_transport::drop_connection() {
  return opts_.drop && client_->is_connected() && opts_.drop();
}

} // namespace floe::sim
