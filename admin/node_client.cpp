// The one translation unit of floe-admin that uses CAF's runtime (actor system, middleman,
// blocking requests from a scoped actor). See node_client.hpp.
#include "admin/node_client.hpp"

#include "config/defaults.hpp"

#include <chrono>
#include <optional>
#include <set>
#include <utility>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/middleman_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/sec.hpp>

namespace floe::admin {

namespace {

struct admin_config : caf::actor_system_config {
  admin_config() {
    load<caf::io::middleman>();
    query::add_query_message_types(*this);
    // A client: two scheduler threads are plenty (CAF's default is max(cores, 4)).
    set("scheduler.max-threads", size_t{2});
    set("middleman.heartbeat-interval",
        caf::timespan{std::chrono::milliseconds(defaults::admin::middleman_heartbeat_ms)});
  }
};

query_error make_query_error(query_error::kind k, std::string text) {
  return query_error{k, std::move(text)};
}

// The string an error carries (floe-node's reasons: make_error(sec::..., "unknown device ...")).
std::string context_text(const caf::error& e) {
  const auto& ctx = e.context();
  if (ctx.size() == 1 && ctx.match_element<std::string>(0))
    return ctx.get_as<std::string>(0);
  return {};
}

std::string words_of(caf::sec code) {
  auto s = caf::to_string(code);
  for (auto& c : s)
    if (c == '_')
      c = ' ';
  return s;
}

} // namespace

struct node_client::impl {
  node_address where;
  admin_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  query::query_actor node; // null until connected, and after the connection was lost

  explicit impl(node_address w) : where(std::move(w)) {}

  std::string ms_text(timeout t) const {
    return std::to_string(t.count()) + " ms";
  }

  query_error classify(const caf::error& e, timeout t) {
    auto text = context_text(e);
    if (e.category() == caf::atom("system")) {
      auto code = static_cast<caf::sec>(e.code());
      switch (code) {
        case caf::sec::request_timeout:
          return make_query_error(query_error::kind::timeout,
                                  text.empty() ? "no answer within " + ms_text(t) : text);
        case caf::sec::request_receiver_down:
        case caf::sec::remote_linking_failed:
        case caf::sec::no_route_to_receiving_node:
          node = nullptr; // the proxy is dead: reconnect on the next call
          return make_query_error(query_error::kind::unreachable,
                                  "the connection was lost (" + words_of(code) + ")");
        case caf::sec::unexpected_message:
        case caf::sec::unexpected_response:
          return make_query_error(query_error::kind::rejected,
                                  "the node did not understand the request (" + words_of(code)
                                    + "; different floe versions?)");
        default:
          if (!text.empty())
            return make_query_error(query_error::kind::rejected, text);
          return make_query_error(query_error::kind::rejected, words_of(code));
      }
    }
    return make_query_error(query_error::kind::rejected,
                            text.empty() ? sys.render(e) : text);
  }

  result<void, query_error> connect(timeout t) {
    node = nullptr;
    std::optional<result<void, query_error>> out;
    auto mm = sys.middleman().actor_handle();
    self->request(mm, t, caf::connect_atom::value, where.host, where.port)
      .receive(
        [&](caf::node_id&, caf::strong_actor_ptr& p, std::set<std::string>& ifs) {
          if (!p) {
            out = make_unexpected(make_query_error(query_error::kind::unreachable,
                                                   "nothing is published on that port"));
            return;
          }
          if (!sys.assignable<query::query_actor>(ifs)) {
            out = make_unexpected(make_query_error(
              query_error::kind::unreachable,
              "the actor published there does not have floe-node's query interface (a "
              "different floe version, or not a floe-node)"));
            return;
          }
          node = caf::actor_cast<query::query_actor>(std::move(p));
          out.emplace();
        },
        [&](caf::error& e) {
          query_error qe;
          if (e.category() == caf::atom("system")
              && static_cast<caf::sec>(e.code()) == caf::sec::request_timeout) {
            qe = make_query_error(query_error::kind::timeout,
                                  "no answer within " + ms_text(t));
          } else {
            auto text = context_text(e);
            qe.what = query_error::kind::unreachable;
            qe.text = e.category() == caf::atom("system")
                        ? words_of(static_cast<caf::sec>(e.code()))
                        : sys.render(e);
            if (!text.empty())
              qe.text += " (" + text + ")";
            else if (e.category() == caf::atom("system")
                     && static_cast<caf::sec>(e.code()) == caf::sec::cannot_connect_to_node)
              qe.text += " (nothing listens there, or the host is unreachable)";
          }
          out = make_unexpected(std::move(qe));
        });
    return std::move(*out);
  }

  template <class T, class... Ts>
  answer<T> ask(timeout t, const Ts&... xs) {
    if (!node) {
      auto c = connect(t);
      if (!c)
        return make_unexpected(c.error());
    }
    std::optional<answer<T>> out;
    self->request(node, t, xs...)
      .receive([&](T& x) { out.emplace(std::move(x)); },
               [&](caf::error& e) { out.emplace(make_unexpected(classify(e, t))); });
    return std::move(*out);
  }
};

node_client::node_client(node_address where) : impl_(std::make_unique<impl>(std::move(where))) {
}

node_client::~node_client() = default;

result<void, query_error> node_client::connect(timeout t) {
  return impl_->connect(t);
}

std::string node_client::address() const {
  return to_string(impl_->where);
}

answer<std::vector<host::edge_node_summary>> node_client::list_edge_nodes(timeout t) {
  return impl_->ask<std::vector<host::edge_node_summary>>(t, host::list_atom::value);
}

answer<host::device_state_view> node_client::device(const std::string& group,
                                                    const std::string& edge_node,
                                                    const std::string& device, timeout t) {
  return impl_->ask<host::device_state_view>(t, caf::get_atom::value, group, edge_node, device);
}

answer<query::history_reply> node_client::history(const query::history_request& rq, timeout t) {
  return impl_->ask<query::history_reply>(t, query::history_atom::value, rq);
}

answer<std::vector<alarms::alarm_view>> node_client::alarms(bool active_only, uint64_t limit,
                                                            timeout t) {
  return impl_->ask<std::vector<alarms::alarm_view>>(t, query::alarms_atom::value, active_only,
                                                     limit);
}

answer<std::string> node_client::ack(const std::string& alarm_id, const std::string& by,
                                     timeout t) {
  return impl_->ask<std::string>(t, host::ack_atom::value, alarm_id, by);
}

answer<std::string> node_client::rebirth(const std::string& group, const std::string& edge_node,
                                         timeout t) {
  return impl_->ask<std::string>(t, host::rebirth_atom::value, group, edge_node);
}

answer<query::node_stats> node_client::stats(timeout t) {
  return impl_->ask<query::node_stats>(t, query::stats_atom::value);
}

answer<cluster::cluster_status> node_client::cluster(timeout t) {
  return impl_->ask<cluster::cluster_status>(t, query::cluster_atom::value);
}

} // namespace floe::admin
