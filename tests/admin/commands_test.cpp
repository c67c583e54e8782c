// floe-admin's command language and text output: words, commands and options, series paths,
// times and ranges, durations, node addresses, the top-level command line, sparklines, tables.
#define CAF_SUITE admin_commands
#include <caf/test/unit_test.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "admin/commands.hpp"
#include "admin/options.hpp"
#include "admin/text.hpp"

using namespace floe::admin;

namespace {

// 2026-11-03T10:15:00Z
constexpr int64_t t0 = 1793700900000;

std::vector<std::string> words(std::string_view line) {
  auto w = split_words(line);
  if (!w)
    CAF_FAIL("split_words failed: " << w.error());
  return *w;
}

parsed<parsed_command> parse(std::string_view line) {
  return parse_command(words(line));
}

bool contains(const std::string& s, const std::string& part) {
  if (s.find(part) != std::string::npos)
    return true;
  CAF_MESSAGE("'" << s << "' lacks '" << part << "'");
  return false;
}

// Values of successful parses (a failed one is an error of the test and gives a marker).
constexpr int64_t failed = -424242;

int64_t time_of(std::string_view text, int64_t now) {
  auto r = parse_time_ms(text, now);
  if (!r) {
    CAF_ERROR("cannot parse time '" << text << "': " << r.error());
    return failed;
  }
  return *r;
}

int64_t duration_of(std::string_view text) {
  auto r = parse_duration_ms(text);
  if (!r) {
    CAF_ERROR("cannot parse duration '" << text << "': " << r.error());
    return failed;
  }
  return *r;
}

int64_t count_of(std::string_view text) {
  auto r = parse_count(text, "--limit");
  if (!r) {
    CAF_ERROR("cannot parse count '" << text << "': " << r.error());
    return failed;
  }
  return static_cast<int64_t>(*r);
}

command_line cli(std::vector<std::string> args) {
  args.insert(args.begin(), "floe-admin");
  std::vector<const char*> argv;
  for (const auto& a : args)
    argv.push_back(a.c_str());
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

} // namespace

// --- words and commands --------------------------------------------------------------------

CAF_TEST(words_split_at_blanks_and_quotes_group) {
  CAF_CHECK_EQUAL(words("  show  g/e/d "), (std::vector<std::string>{"show", "g/e/d"}));
  CAF_CHECK_EQUAL(words("metric \"g/e/d/Motor Current\""),
                  (std::vector<std::string>{"metric", "g/e/d/Motor Current"}));
  CAF_CHECK_EQUAL(words("metric 'a \"b\"' c\\ d"),
                  (std::vector<std::string>{"metric", "a \"b\"", "c d"}));
  CAF_CHECK_EQUAL(words("x \"\""), (std::vector<std::string>{"x", ""}));
  CAF_CHECK(!split_words("show \"g/e"));
  CAF_CHECK(!split_words("show g\\"));
}

CAF_TEST(quoted_words_split_back_to_themselves) {
  for (std::string w : {"Motor Current", "a\"b", "it's", "back\\slash", "plain"}) {
    auto back = split_words(quote_word(w));
    CAF_REQUIRE(back);
    CAF_CHECK_EQUAL(*back, std::vector<std::string>{w});
  }
}

CAF_TEST(every_command_is_known_and_has_help) {
  for (auto name : {"help", "nodes", "devices", "show", "metric", "history", "alarms", "ack",
                    "rebirth", "stats", "tail", "quit"}) {
    CAF_CHECK(find_command(name) != nullptr);
    auto h = help_text(name);
    CAF_REQUIRE(h);
    CAF_CHECK(contains(*h, std::string("usage: ") + name));
    CAF_CHECK(contains(help_text(), std::string("  ") + name));
  }
  CAF_CHECK(find_command("exit") == find_command("quit"));
  CAF_CHECK(!help_text("frobnicate"));
  CAF_CHECK_EQUAL(command_names("nod"), std::vector<std::string>{"nodes"});
  CAF_CHECK_EQUAL(command_names("s"), (std::vector<std::string>{"show", "stats"}));
}

CAF_TEST(options_take_values_also_when_they_start_with_a_dash) {
  auto c = parse("history g/e/d/m --from -10m --to=now --window 1m --limit 5");
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->name, "history");
  CAF_CHECK_EQUAL(c->args, std::vector<std::string>{"g/e/d/m"});
  CAF_CHECK_EQUAL(c->get("from").value_or("?"), "-10m");
  CAF_CHECK_EQUAL(c->get("to").value_or("?"), "now");
  CAF_CHECK_EQUAL(c->get("window").value_or("?"), "1m");
  CAF_CHECK_EQUAL(c->get("limit").value_or("?"), "5");
  auto a = parse("alarms --all");
  CAF_REQUIRE(a);
  CAF_CHECK(a->has("all"));
  CAF_CHECK(!a->has("limit"));
}

CAF_TEST(bad_commands_are_usage_errors_that_say_what_is_wrong) {
  CAF_CHECK(contains(parse("frob").error(), "unknown command 'frob'"));
  CAF_CHECK(contains(parse("nodes --all").error(), "unknown option --all for nodes"));
  CAF_CHECK(contains(parse("show").error(), "missing argument"));
  CAF_CHECK(contains(parse("show a/b/c d/e/f").error(), "too many arguments"));
  CAF_CHECK(contains(parse("history g/e/d/m --limit").error(), "needs a value"));
  CAF_CHECK(contains(parse("alarms --all=yes").error(), "takes no value"));
  CAF_CHECK(contains(parse("alarms --limit 1 --limit 2").error(), "given twice"));
  CAF_CHECK(!parse_command({}));
}

CAF_TEST(unquoted_metric_names_with_blanks_are_joined) {
  auto c = parse("history floe-sim/edge-01/compressor-01/Motor Current --window 10s");
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->args, std::vector<std::string>{"floe-sim/edge-01/compressor-01/Motor Current"});
  CAF_CHECK_EQUAL(c->get("window").value_or("?"), "10s");
}

// --- paths ---------------------------------------------------------------------------------

CAF_TEST(metric_paths_keep_every_slash_after_the_third) {
  auto m = parse_metric_path("floe-sim/edge-01/-/Node Control/Rebirth");
  CAF_REQUIRE(m);
  CAF_CHECK_EQUAL(m->group, "floe-sim");
  CAF_CHECK_EQUAL(m->edge_node, "edge-01");
  CAF_CHECK_EQUAL(m->device, "");
  CAF_CHECK_EQUAL(m->metric, "Node Control/Rebirth");
  CAF_CHECK_EQUAL(to_string(*m), "floe-sim/edge-01/-/Node Control/Rebirth");
  auto d = parse_metric_path("g/e/pump/a/b/c");
  CAF_REQUIRE(d);
  CAF_CHECK_EQUAL(d->device, "pump");
  CAF_CHECK_EQUAL(d->metric, "a/b/c");
}

CAF_TEST(device_dash_or_node_means_the_edge_nodes_own_metrics) {
  for (auto text : {"g/e/-", "g/e/node"}) {
    auto d = parse_device_path(text);
    CAF_REQUIRE(d);
    CAF_CHECK_EQUAL(d->device, "");
    CAF_CHECK_EQUAL(to_string(*d), "g/e/-");
  }
  auto d = parse_device_path("g/e/pump-1");
  CAF_REQUIRE(d);
  CAF_CHECK_EQUAL(d->device, "pump-1");
}

CAF_TEST(malformed_paths_are_rejected) {
  CAF_CHECK(contains(parse_edge_path("g").error(), "too few parts"));
  CAF_CHECK(contains(parse_edge_path("g/e/d").error(), "too many parts"));
  CAF_CHECK(contains(parse_edge_path("g/").error(), "empty part"));
  CAF_CHECK(contains(parse_device_path("g/e").error(), "expected <group>/<edge>/<device>"));
  CAF_CHECK(contains(parse_device_path("g/e/d/x").error(), "too many parts"));
  CAF_CHECK(contains(parse_metric_path("g/e/d").error(), "too few parts"));
  CAF_CHECK(contains(parse_metric_path("g//d/m").error(), "empty part"));
  CAF_CHECK(contains(parse_metric_path("g/e/d/").error(), "empty part"));
}

// --- times ---------------------------------------------------------------------------------

CAF_TEST(iso_times_are_utc_unless_an_offset_is_given) {
  CAF_CHECK_EQUAL(time_of("2026-11-03T10:15:00Z", 0), t0);
  CAF_CHECK_EQUAL(time_of("2026-11-03T10:15:00", 0), t0);
  CAF_CHECK_EQUAL(time_of("2026-11-03 10:15", 0), t0);
  CAF_CHECK_EQUAL(time_of("2026-11-03T10:15:00.250Z", 0), t0 + 250);
  CAF_CHECK_EQUAL(time_of("2026-11-03T10:15:00.5Z", 0), t0 + 500);
  CAF_CHECK_EQUAL(time_of("2026-11-03T11:15:00+01:00", 0), t0);
  CAF_CHECK_EQUAL(time_of("2026-11-03T05:15:00-0500", 0), t0);
  CAF_CHECK_EQUAL(time_of("2026-11-03", 0), t0 - (10 * 60 + 15) * 60'000);
  CAF_CHECK_EQUAL(time_of("1970-01-01T00:00:00Z", 5), 0);
  CAF_CHECK_EQUAL(time_of("2024-02-29", 0), 1709164800000);
}

CAF_TEST(epoch_milliseconds_relative_times_and_now) {
  CAF_CHECK_EQUAL(time_of("1793700900000", 0), t0);
  CAF_CHECK_EQUAL(time_of("now", t0), t0);
  CAF_CHECK_EQUAL(time_of("-10m", t0), t0 - 600'000);
  CAF_CHECK_EQUAL(time_of("-90s", t0), t0 - 90'000);
  CAF_CHECK_EQUAL(time_of("-2h", t0), t0 - 7'200'000);
  CAF_CHECK_EQUAL(time_of("-1d", t0), t0 - 86'400'000);
  CAF_CHECK_EQUAL(time_of("-500ms", t0), t0 - 500);
}

CAF_TEST(impossible_times_are_errors) {
  for (auto bad : {"2026-02-30", "2025-02-29", "2026-13-01", "2026-11-03T24:00", "2026-11-03T10",
                   "2026-11-03T10:15:00Zjunk", "yesterday", "-10", "-10x", "", "12.5"})
    if (parse_time_ms(bad, t0))
      CAF_ERROR("accepted '" << bad << "'");
  CAF_CHECK(contains(parse_time_ms("2026-02-30", 0).error(), "no such date"));
}

CAF_TEST(durations_need_a_unit) {
  CAF_CHECK_EQUAL(duration_of("10s"), 10'000);
  CAF_CHECK_EQUAL(duration_of("1m"), 60'000);
  CAF_CHECK_EQUAL(duration_of("1h"), 3'600'000);
  CAF_CHECK_EQUAL(duration_of("1h30m"), 5'400'000);
  CAF_CHECK_EQUAL(duration_of("1.5s"), 1'500);
  CAF_CHECK_EQUAL(duration_of("250ms"), 250);
  CAF_CHECK(contains(parse_duration_ms("10").error(), "a unit is required"));
  CAF_CHECK(contains(parse_duration_ms("10y").error(), "unknown unit"));
  CAF_CHECK(!parse_duration_ms("0s"));
  CAF_CHECK(!parse_duration_ms("s"));
  CAF_CHECK(!parse_duration_ms("1..2s"));
}

CAF_TEST(time_range_defaults_to_the_last_span_including_now) {
  auto r = parse_time_range(std::nullopt, std::nullopt, t0, 600'000);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->to_ms, t0 + 1); // a point stamped "now" is inside [from, to)
  CAF_CHECK_EQUAL(r->from_ms, t0 + 1 - 600'000);
  auto f = parse_time_range(std::string("-1h"), std::nullopt, t0, 600'000);
  CAF_REQUIRE(f);
  CAF_CHECK_EQUAL(f->from_ms, t0 - 3'600'000);
  auto t = parse_time_range(std::nullopt, std::string("-1h"), t0, 600'000);
  CAF_REQUIRE(t);
  CAF_CHECK_EQUAL(t->to_ms, t0 - 3'600'000);
  CAF_CHECK_EQUAL(t->from_ms, t0 - 3'600'000 - 600'000);
}

CAF_TEST(time_range_errors_name_the_option) {
  CAF_CHECK(contains(parse_time_range(std::string("-1m"), std::string("-2m"), t0, 1).error(),
                     "empty time range"));
  CAF_CHECK(contains(parse_time_range(std::string("bogus"), std::nullopt, t0, 1).error(),
                     "--from"));
  CAF_CHECK(contains(parse_time_range(std::nullopt, std::string("bogus"), t0, 1).error(), "--to"));
}

CAF_TEST(counts_are_non_negative_integers) {
  CAF_CHECK_EQUAL(count_of("0"), 0);
  CAF_CHECK_EQUAL(count_of("1000"), 1000);
  CAF_CHECK(contains(parse_count("-1", "--limit").error(), "--limit"));
  CAF_CHECK(!parse_count("1e3", "--limit"));
  CAF_CHECK(!parse_count("", "--limit"));
}

CAF_TEST(node_addresses) {
  auto a = parse_node_address("10.0.0.2:4711", "127.0.0.1");
  CAF_REQUIRE(a);
  CAF_CHECK_EQUAL(a->host, "10.0.0.2");
  CAF_CHECK_EQUAL(a->port, 4711);
  auto port_only = parse_node_address("4712", "127.0.0.1");
  CAF_REQUIRE(port_only);
  CAF_CHECK_EQUAL(port_only->host, "127.0.0.1");
  auto colon_port = parse_node_address(":4712", "127.0.0.1");
  CAF_REQUIRE(colon_port);
  CAF_CHECK_EQUAL(colon_port->port, 4712);
  auto v6 = parse_node_address("[::1]:4710", "127.0.0.1");
  CAF_REQUIRE(v6);
  CAF_CHECK_EQUAL(v6->host, "::1");
  CAF_CHECK_EQUAL(to_string(*v6), "[::1]:4710");
  for (auto bad : {"host:", "host:0", "host:65536", "host:x", "::1:4710", "[::1]4710"})
    if (parse_node_address(bad, "h"))
      CAF_ERROR("accepted '" << bad << "'");
}

// --- top-level command line ----------------------------------------------------------------

CAF_TEST(command_line_defaults_and_one_shot_commands) {
  auto c = cli({});
  CAF_REQUIRE(c.what == command_line::action::run);
  CAF_CHECK_EQUAL(to_string(c.admin.node), "127.0.0.1:4710");
  CAF_CHECK(c.admin.command.empty());
  CAF_CHECK(!c.admin.json);
  CAF_CHECK_EQUAL(c.admin.timeout_ms, floe::defaults::admin::request_timeout_ms);
  auto one = cli({"--node", "127.0.0.1:5000", "-c", "nodes", "--json", "--timeout", "250"});
  CAF_REQUIRE(one.what == command_line::action::run);
  CAF_CHECK_EQUAL(one.admin.node.port, 5000);
  CAF_CHECK_EQUAL(one.admin.command, "nodes");
  CAF_CHECK(one.admin.json);
  CAF_CHECK_EQUAL(one.admin.timeout_ms, 250);
}

CAF_TEST(command_words_after_the_options_form_the_command) {
  auto c = cli({"--json", "history", "g/e/d/Motor Current", "--from", "-10m"});
  CAF_REQUIRE(c.what == command_line::action::run);
  CAF_CHECK(c.admin.json);
  auto w = split_words(c.admin.command);
  CAF_REQUIRE(w);
  CAF_CHECK_EQUAL(*w, (std::vector<std::string>{"history", "g/e/d/Motor Current", "--from",
                                                "-10m"}));
}

CAF_TEST(command_line_usage_errors) {
  CAF_CHECK(cli({"--node", "nowhere"}).what == command_line::action::fail);
  CAF_CHECK(cli({"--timeout", "0"}).what == command_line::action::fail);
  CAF_CHECK(cli({"-c"}).what == command_line::action::fail);
  CAF_CHECK(cli({"-c", "nodes", "alarms"}).what == command_line::action::fail);
  CAF_CHECK(contains(cli({"frob"}).text, "unknown command 'frob'"));
  CAF_CHECK(contains(cli({"--frob"}).text, "unknown option --frob"));
  CAF_CHECK(cli({"--help"}).what == command_line::action::help);
}

CAF_TEST(sniff_command_line) {
  auto s = cli({"sniff", "--broker", "tcp://127.0.0.1:1999", "--filter", "spBv1.0/G/#", "--json",
                "--count", "10", "--seconds", "2.5"});
  CAF_REQUIRE(s.what == command_line::action::sniff);
  CAF_CHECK_EQUAL(s.sniff.broker_uri, "tcp://127.0.0.1:1999");
  CAF_CHECK_EQUAL(s.sniff.filter, "spBv1.0/G/#");
  CAF_CHECK(s.sniff.json);
  CAF_CHECK_EQUAL(s.sniff.count, 10u);
  CAF_CHECK_EQUAL(s.sniff.seconds, 2.5);
  auto d = cli({"sniff"});
  CAF_REQUIRE(d.what == command_line::action::sniff);
  CAF_CHECK_EQUAL(d.sniff.filter, "spBv1.0/#");
  CAF_CHECK(cli({"sniff", "--count", "-1"}).what == command_line::action::fail);
  CAF_CHECK(cli({"sniff", "--broker", "localhost"}).what == command_line::action::fail);
  CAF_CHECK(cli({"sniff", "--help"}).what == command_line::action::help);
}

// --- text ----------------------------------------------------------------------------------

CAF_TEST(sparkline_maps_minimum_to_lowest_and_maximum_to_highest_block) {
  CAF_CHECK_EQUAL(sparkline({0, 1, 2, 3, 4, 5, 6, 7}, 60), "▁▂▃▄▅▆▇█");
  CAF_CHECK_EQUAL(sparkline({10, -10}, 60), "█▁");
  CAF_CHECK_EQUAL(sparkline({5, 5, 5}, 60), "▄▄▄");
  CAF_CHECK_EQUAL(sparkline({1, NAN, 2}, 60), "▁ █");
  CAF_CHECK_EQUAL(sparkline({}, 60), "");
  CAF_CHECK_EQUAL(sparkline({1, 2}, 0), "");
}

CAF_TEST(sparkline_averages_long_series_into_the_width) {
  std::vector<double> v;
  for (int i = 0; i < 1000; ++i)
    v.push_back(i < 500 ? 0 : 100);
  auto s = sparkline(v, 10);
  CAF_CHECK_EQUAL(display_width(s), 10u);
  CAF_CHECK_EQUAL(s, "▁▁▁▁▁█████");
  std::vector<double> ramp;
  for (int i = 0; i < 70; ++i)
    ramp.push_back(i);
  auto r = sparkline(ramp, 7);
  CAF_CHECK_EQUAL(display_width(r), 7u);
  CAF_CHECK(r.rfind("▁", 0) == 0);
  CAF_CHECK(r.size() >= 3 && r.substr(r.size() - 3) == "█");
}

CAF_TEST(tables_align_columns_by_code_points) {
  text_table t({"NAME", "VALUE"}, {text_table::align::left, text_table::align::right});
  t.add({"Temperature", "21.5"});
  t.add({"Größe", "3"});
  t.add({"x"});
  CAF_CHECK_EQUAL(t.render(), "NAME         VALUE\n"
                              "Temperature   21.5\n"
                              "Größe            3\n"
                              "x\n");
}

CAF_TEST(clip_cuts_long_text_with_an_ellipsis) {
  CAF_CHECK_EQUAL(clip("short", 10), "short");
  CAF_CHECK_EQUAL(clip("0123456789abc", 10), "012345678…");
  CAF_CHECK_EQUAL(display_width(clip("ääääääääääää", 5)), 5u);
  CAF_CHECK_EQUAL(clip("a\nb", 10), "a b");
}

CAF_TEST(times_durations_and_numbers_as_shown) {
  CAF_CHECK_EQUAL(format_time(t0 + 123), "2026-11-03T10:15:00.123Z");
  CAF_CHECK_EQUAL(format_time(0), "-");
  CAF_CHECK_EQUAL(time_of(format_time(t0 + 7), 0), t0 + 7);
  CAF_CHECK_EQUAL(format_duration(850), "850ms");
  CAF_CHECK_EQUAL(format_duration(12'300), "12.3s");
  CAF_CHECK_EQUAL(format_duration(245'000), "4m 05s");
  CAF_CHECK_EQUAL(format_duration(2 * 86'400'000 + 4 * 3'600'000), "2d 04h");
  CAF_CHECK_EQUAL(format_number(3), "3");
  CAF_CHECK_EQUAL(format_number(2.5), "2.5");
  CAF_CHECK_EQUAL(format_number(1.0 / 3), "0.333333");
  CAF_CHECK_EQUAL(format_quality(192), "good");
  CAF_CHECK_EQUAL(format_quality(500), "stale");
  CAF_CHECK_EQUAL(format_quality(7), "7");
}
