#include "admin/sniffer.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include <mqtt/async_client.h>

#include "admin/shell.hpp"
#include "admin/sniff_core.hpp"

namespace floe::admin {

namespace {

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

} // namespace

int run_sniffer(const sniff_options& o) {
  std::string client_id = "floe-admin-sniff-" + std::to_string(::getpid());
  std::unique_ptr<::mqtt::async_client> client;
  auto limit = std::chrono::milliseconds(o.timeout_ms);
  try {
    client = std::make_unique<::mqtt::async_client>(o.broker_uri, client_id,
                                                    ::mqtt::create_options(MQTTVERSION_3_1_1),
                                                    nullptr);
    ::mqtt::connect_options opts;
    opts.set_clean_session(true);
    opts.set_keep_alive_interval(std::chrono::seconds(30));
    opts.set_connect_timeout(limit);
    opts.set_automatic_reconnect(false);
    client->start_consuming();
    auto tok = client->connect(opts);
    if (!tok->wait_for(limit)) {
      std::fprintf(stderr, "cannot connect to the broker %s: no answer within %lld ms\n",
                   o.broker_uri.c_str(), static_cast<long long>(o.timeout_ms));
      return exit_unreachable;
    }
    auto sub = client->subscribe(o.filter, 0);
    if (!sub->wait_for(limit)) {
      std::fprintf(stderr, "subscribing %s on %s timed out\n", o.filter.c_str(),
                   o.broker_uri.c_str());
      return exit_unreachable;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cannot connect to the broker %s: %s\n", o.broker_uri.c_str(), e.what());
    return exit_unreachable;
  }
  std::fprintf(stderr, "sniffing %s on %s (Ctrl-C stops)\n", o.filter.c_str(),
               o.broker_uri.c_str());

  sniff_format f;
  f.json = o.json;
  sniff_core core{f};
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + std::chrono::milliseconds(static_cast<int64_t>(o.seconds * 1000));
  int rc = exit_ok;
  while (interrupt_flag() == 0) {
    if (o.count > 0 && core.messages() >= o.count)
      break;
    auto now = std::chrono::steady_clock::now();
    if (o.seconds > 0 && now >= deadline)
      break;
    auto wait = std::chrono::milliseconds(100);
    ::mqtt::const_message_ptr msg;
    if (!client->try_consume_message_for(&msg, wait)) {
      if (!client->is_connected()) {
        std::fprintf(stderr, "lost the connection to the broker %s\n", o.broker_uri.c_str());
        rc = exit_unreachable;
        break;
      }
      continue;
    }
    if (!msg)
      continue; // a null message marks a connection loss; is_connected() tells above
    auto line = core.on_message(msg->get_topic(), msg->get_payload(), wall_ms());
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
  }
  try {
    if (client->is_connected())
      client->disconnect()->wait_for(std::chrono::seconds(2));
  } catch (const std::exception&) {
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "%llu messages in %.1f s, %llu violations\n",
               static_cast<unsigned long long>(core.messages()), secs,
               static_cast<unsigned long long>(core.violations()));
  return rc;
}

} // namespace floe::admin
