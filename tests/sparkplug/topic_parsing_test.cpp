#define CAF_SUITE topic_parsing
#include <caf/test/unit_test.hpp>

#include "sparkplug/topic.hpp"

using namespace floe::sparkplug;

namespace {

errc error_of(std::string_view text) {
  auto r = parse_topic(text);
  CAF_REQUIRE(!r.has_value());
  return r.error().code;
}

bool views_into(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

} // namespace

CAF_TEST(node_message_topics_have_four_tokens) {
  std::string_view text = "spBv1.0/Ice Plant/NBIRTH/Compressor House";
  auto t = parse_topic(text);
  CAF_REQUIRE(t.has_value());
  CAF_CHECK(t->type == message_type::nbirth);
  CAF_CHECK_EQUAL(t->group_id, "Ice Plant");
  CAF_CHECK_EQUAL(t->edge_node_id, "Compressor House");
  CAF_CHECK(t->device_id.empty());
  CAF_CHECK(t->host_id.empty());
  CAF_CHECK(!t->legacy_state);
  // Views point into the input: parsing copies nothing.
  CAF_CHECK(views_into(t->group_id, text));
  CAF_CHECK(views_into(t->edge_node_id, text));
  for (auto verb : {"NDEATH", "NDATA", "NCMD"}) {
    auto r = parse_topic(std::string("spBv1.0/G/") + verb + "/E");
    CAF_REQUIRE(r.has_value());
    CAF_CHECK_EQUAL(std::string(to_string(r->type)), verb);
    CAF_CHECK(!is_device_message(r->type));
  }
}

CAF_TEST(device_message_topics_have_five_tokens) {
  for (auto verb : {"DBIRTH", "DDEATH", "DDATA", "DCMD"}) {
    auto text = std::string("spBv1.0/G1/") + verb + "/E1/Brine Tank 3";
    auto r = parse_topic(text);
    CAF_REQUIRE(r.has_value());
    CAF_CHECK_EQUAL(std::string(to_string(r->type)), verb);
    CAF_CHECK(is_device_message(r->type));
    CAF_CHECK_EQUAL(r->group_id, "G1");
    CAF_CHECK_EQUAL(r->edge_node_id, "E1");
    CAF_CHECK_EQUAL(r->device_id, "Brine Tank 3");
  }
}

CAF_TEST(state_topic_of_sparkplug_3_has_three_tokens) {
  auto r = parse_topic("spBv1.0/STATE/scada-1");
  CAF_REQUIRE(r.has_value());
  CAF_CHECK(r->type == message_type::state);
  CAF_CHECK_EQUAL(r->host_id, "scada-1");
  CAF_CHECK(r->group_id.empty());
  CAF_CHECK(!r->legacy_state);
}

CAF_TEST(legacy_state_topic_of_sparkplug_2_2_is_flagged) {
  auto r = parse_topic("STATE/scada-1");
  CAF_REQUIRE(r.has_value());
  CAF_CHECK(r->type == message_type::state);
  CAF_CHECK_EQUAL(r->host_id, "scada-1");
  CAF_CHECK(r->legacy_state);
  CAF_CHECK(error_of("STATE/a/b") == errc::topic_token_count);
  CAF_CHECK(error_of("STATE") == errc::topic_token_count);
  CAF_CHECK(error_of("STATE/") == errc::topic_invalid_id);
}

CAF_TEST(group_named_state_is_a_group_in_four_token_topics) {
  auto r = parse_topic("spBv1.0/STATE/NDATA/E");
  CAF_REQUIRE(r.has_value());
  CAF_CHECK(r->type == message_type::ndata);
  CAF_CHECK_EQUAL(r->group_id, "STATE");
}

CAF_TEST(other_namespaces_are_not_sparkplug_b) {
  CAF_CHECK(error_of("spAv1.0/G/NBIRTH/E") == errc::topic_not_sparkplug);
  CAF_CHECK(error_of("spbv1.0/G/NBIRTH/E") == errc::topic_not_sparkplug); // case sensitive
  CAF_CHECK(error_of("") == errc::topic_not_sparkplug);
  CAF_CHECK(error_of("/spBv1.0/G/NBIRTH/E") == errc::topic_not_sparkplug);
  CAF_CHECK(error_of("plant/line1/temperature") == errc::topic_not_sparkplug);
}

CAF_TEST(token_count_must_fit_the_verb) {
  CAF_CHECK(error_of("spBv1.0") == errc::topic_token_count);
  CAF_CHECK(error_of("spBv1.0/G") == errc::topic_token_count);
  CAF_CHECK(error_of("spBv1.0/G/NBIRTH") == errc::topic_token_count);
  CAF_CHECK(error_of("spBv1.0/G/NBIRTH/E/D") == errc::topic_token_count);
  CAF_CHECK(error_of("spBv1.0/G/DDATA/E") == errc::topic_token_count);
  CAF_CHECK(error_of("spBv1.0/G/DDATA/E/D/x") == errc::topic_token_count);
  CAF_CHECK(error_of("spBv1.0/STATE/host/extra") == errc::topic_unknown_verb);
  auto r = parse_topic("spBv1.0/G/NBIRTH/E/D");
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(r.error().detail, "NBIRTH needs 4 tokens, got 5");
}

CAF_TEST(unknown_verbs_are_named_in_the_error) {
  auto r = parse_topic("spBv1.0/G/NBIRT/E");
  CAF_REQUIRE(!r);
  CAF_CHECK(r.error().code == errc::topic_unknown_verb);
  CAF_CHECK_EQUAL(r.error().detail, "'NBIRT' is not a Sparkplug message type");
  CAF_CHECK(error_of("spBv1.0/G/nbirth/E") == errc::topic_unknown_verb);
  CAF_CHECK(error_of("spBv1.0/G/STATE/E") == errc::topic_unknown_verb);
  CAF_CHECK(error_of("spBv1.0/G//E") == errc::topic_unknown_verb);
}

CAF_TEST(ids_reject_wildcards_empty_tokens_and_nul) {
  CAF_CHECK(error_of("spBv1.0/G+/NDATA/E") == errc::topic_invalid_id);
  CAF_CHECK(error_of("spBv1.0/G/NDATA/#") == errc::topic_invalid_id);
  CAF_CHECK(error_of("spBv1.0//NDATA/E") == errc::topic_invalid_id);
  CAF_CHECK(error_of("spBv1.0/G/NDATA/") == errc::topic_invalid_id);
  CAF_CHECK(error_of("spBv1.0/G/DDATA/E/") == errc::topic_invalid_id);
  CAF_CHECK(error_of("spBv1.0/STATE/+") == errc::topic_invalid_id);
  using namespace std::string_literals;
  CAF_CHECK(error_of("spBv1.0/G/NDATA/E\0x"s) == errc::topic_invalid_id);
  auto r = parse_topic("spBv1.0/G/DDATA/E/dev+1");
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(r.error().detail, "device id: '+' at byte 3");
  r = parse_topic("spBv1.0/G/NDATA/");
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(r.error().detail, "edge node id: empty");
}

CAF_TEST(ids_must_be_valid_utf8) {
  CAF_CHECK(parse_topic("spBv1.0/K\xC3\xBChlhaus/NDATA/\xE5\x86\xB0").has_value());
  CAF_CHECK(parse_topic("spBv1.0/G/NDATA/\xF0\x9F\xA7\x8A").has_value()); // 4-byte sequence
  CAF_CHECK(error_of("spBv1.0/G/NDATA/\xC0\xAF") == errc::topic_invalid_id); // overlong '/'
  CAF_CHECK(error_of("spBv1.0/G/NDATA/\xED\xA0\x80") == errc::topic_invalid_id); // surrogate
  CAF_CHECK(error_of("spBv1.0/G/NDATA/\xF4\x90\x80\x80") == errc::topic_invalid_id); // >U+10FFFF
  CAF_CHECK(error_of("spBv1.0/G/NDATA/ab\xE2\x82") == errc::topic_invalid_id); // truncated
  CAF_CHECK(error_of("spBv1.0/G/NDATA/\x80") == errc::topic_invalid_id); // lone continuation
  CAF_CHECK(error_of("spBv1.0/G/NDATA/\xFF") == errc::topic_invalid_id);
  auto r = parse_topic("spBv1.0/G/NDATA/ab\xE2\x82");
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(r.error().detail, "edge node id: invalid UTF-8 at byte 2");
}

CAF_TEST(validate_id_names_the_offending_character_and_offset) {
  CAF_CHECK(validate_id("Compressor 1").has_value());
  auto r = validate_id("a/b");
  CAF_REQUIRE(!r);
  CAF_CHECK(r.error().code == errc::topic_invalid_id);
  CAF_CHECK_EQUAL(r.error().detail, "'/' at byte 1");
  r = validate_id("");
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(r.error().detail, "empty");
  r = validate_id(std::string_view("ab\0", 3));
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(r.error().detail, "NUL at byte 2");
}

CAF_TEST(format_topic_inverts_parse_topic) {
  for (std::string text : {"spBv1.0/G/NBIRTH/E", "spBv1.0/Ice Plant/DDATA/Node 1/Tank 2",
                           "spBv1.0/STATE/host", "STATE/host", "spBv1.0/g/DCMD/e/d"}) {
    auto r = parse_topic(text);
    CAF_REQUIRE(r.has_value());
    CAF_CHECK_EQUAL(format_topic(*r), text);
  }
}

CAF_TEST(owning_topic_keeps_the_parts_of_a_view) {
  std::string text = "spBv1.0/G/DBIRTH/E/D";
  auto r = parse_topic(text);
  CAF_REQUIRE(r.has_value());
  topic owned{*r};
  text.assign(text.size(), 'x'); // the view's storage changes; the copy does not
  CAF_CHECK_EQUAL(owned.group_id, "G");
  CAF_CHECK_EQUAL(owned.device_id, "D");
  CAF_CHECK_EQUAL(format_topic(owned.view()), "spBv1.0/G/DBIRTH/E/D");
  CAF_CHECK(topic{owned.view()} == owned);
}

CAF_TEST(edge_node_filter_matches_every_message_of_one_node) {
  CAF_CHECK_EQUAL(edge_node_filter("G1", "E1"), "spBv1.0/G1/+/E1/#");
}
