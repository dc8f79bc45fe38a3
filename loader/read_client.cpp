// workload.client: the clients' timeouts, retries with their backoff and
// budget, and the circuit breaker.
#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "loader/sections.hpp"
#include "sim/time.hpp"

namespace loader::sections {

namespace {

std::vector<std::pair<std::string, models::Jitter>> jitter_choices() {
  return {{"none", models::Jitter::kNone}, {"full", models::Jitter::kFull}, {"equal", models::Jitter::kEqual}};
}

void check_backoff_cap(const Field& f, const models::BackoffConfig& b) {
  if (b.cap < b.base) {
    fail(f, fmt::format("cap ({}) is below base ({}), so every wait would be cap", sim::format_duration(b.cap),
                        sim::format_duration(b.base)));
  }
}

models::BackoffConfig read_backoff_map(const Field& f) {
  const MapReader m(f);
  m.allow_only({"base", "exponential", "cap", "jitter"});
  models::BackoffConfig b;
  b.base = to_duration(m.require("base"), true);
  if (const auto e = m.get("exponential")) b.exponential = to_bool(*e);
  if (const auto cap = m.get("cap")) {
    if (!b.exponential) {
      fail(*cap, "cap bounds a growing wait, but this backoff is constant: every wait is base",
           "add exponential: true, or remove cap");
    }
    b.cap = to_duration(*cap, true);
    check_backoff_cap(*cap, b);
  }
  if (const auto j = m.get("jitter")) b.jitter = to_choice(*j, jitter_choices());
  return b;
}

// A map of the fields, or compact text: none, constant(100ms),
// exponential(100ms, cap=2s, jitter=full), exp_jitter(...), exp_equal_jitter(...).
models::BackoffConfig read_backoff(const Field& f) {
  constexpr std::string_view kWhat =
      "none, constant(<base>), exponential(<base>[, cap=<duration>][, jitter=none|full|equal]), "
      "exp_jitter(<base>[, cap=<duration>]), exp_equal_jitter(<base>[, cap=<duration>]) or a map with base";
  if (f.node.type == Node::Type::kMap) return read_backoff_map(f);
  const std::string_view text = detail::trim(scalar(f, kWhat));
  if (text == "none") return {};
  if (text.find('(') == std::string_view::npos) expected(f, kWhat);
  detail::Call call;
  try {
    call = detail::split_call(text);
  } catch (const DistributionTextError& e) {
    fail(f, e.what());
  }
  struct Form {
    std::string name;
    std::string usage;
    std::vector<std::string> keys;
    bool exponential;
    models::Jitter jitter;  // the form's own; jitter= overrides it where allowed
  };
  const std::vector<Form> forms = {
      {"constant", "constant(<base>[, jitter=none|full|equal])", {"jitter"}, false, models::Jitter::kNone},
      {"exponential",
       "exponential(<base>[, cap=<duration>][, jitter=none|full|equal])",
       {"cap", "jitter"},
       true,
       models::Jitter::kNone},
      {"exp_jitter", "exp_jitter(<base>[, cap=<duration>])", {"cap"}, true, models::Jitter::kFull},
      {"exp_equal_jitter", "exp_equal_jitter(<base>[, cap=<duration>])", {"cap"}, true, models::Jitter::kEqual},
  };
  std::vector<std::string> names = {"none"};
  const Form* form = nullptr;
  for (const auto& candidate : forms) {
    names.push_back(candidate.name);
    if (candidate.name == call.name) form = &candidate;
  }
  if (form == nullptr) {
    fail(f,
         fmt::format("unknown backoff {}; {}", in_quotes(call.name), suggest(call.name, names, "expected one of")));
  }
  bool shape_ok = call.positional.size() == 1;
  for (const auto& [key, value] : call.named) shape_ok = shape_ok && contains(form->keys, key);
  if (!shape_ok) expected(f, form->usage);
  models::BackoffConfig b;
  b.exponential = form->exponential;
  b.jitter = form->jitter;
  const auto duration_argument = [&](std::string_view value, std::string_view parameter) {
    const auto t = sim::parse_duration(value);
    if (!t) fail(f, fmt::format("{}: {}: {}", form->usage, parameter, detail::duration_problem(value)));
    if (*t > sim::kHorizon) fail(f, fmt::format("{}: {}: {}", form->usage, parameter, detail::horizon_problem(value)));
    if (*t == 0) {
      fail(f, fmt::format("{}: {}: expected a positive duration, found {}", form->usage, parameter, in_quotes(value)),
           "for retries without a wait, write backoff: none");
    }
    return *t;
  };
  b.base = duration_argument(call.positional[0], "base");
  if (const auto cap = call.get("cap")) {
    b.cap = duration_argument(*cap, "cap");
    check_backoff_cap(f, b);
  }
  if (const auto jitter = call.get("jitter")) {
    const auto choice = jitter_choices();
    const auto it = std::find_if(choice.begin(), choice.end(), [&](const auto& c) { return c.first == *jitter; });
    if (it == choice.end()) {
      fail(f, fmt::format("{}: jitter: expected none, full or equal, found {}", form->usage, in_quotes(*jitter)));
    }
    b.jitter = it->second;
  }
  return b;
}

// `10%`, or a map with ratio and max_tokens.
models::RetryBudgetConfig read_budget(const Field& f) {
  models::RetryBudgetConfig b;
  if (f.node.type == Node::Type::kScalar) {
    b.ratio = to_share(f, Share::kAboveZeroUpToOne);
    return b;
  }
  if (f.node.type != Node::Type::kMap) expected(f, "a share such as 10% or a map with ratio and max_tokens");
  const MapReader m(f);
  m.allow_only({"ratio", "max_tokens"});
  b.ratio = to_share(m.require("ratio"), Share::kAboveZeroUpToOne);
  if (const auto t = m.get("max_tokens")) {
    b.max_tokens = to_number(*t, Range::kPositive);
    // A retry spends a whole token: a smaller bucket never allows one.
    if (b.max_tokens < 1.0) expected(*t, "a number of at least 1");
  }
  return b;
}

}  // namespace

void read_client(const Field& f, models::ClientConfig& c) {
  const MapReader m(f);
  m.allow_only({"timeout", "connect_timeout", "retries", "backoff", "budget", "circuit_breaker"});
  if (const auto t = m.get("timeout")) c.timeout = to_duration(*t, false);
  if (const auto t = m.get("connect_timeout")) c.connect_timeout = to_duration(*t, true);
  if (const auto r = m.get("retries")) c.retries = to_int(*r, 0, kMaxRetries);
  if (const auto b = m.get("backoff")) c.backoff = read_backoff(*b);
  if (const auto b = m.get("budget")) c.budget = read_budget(*b);
  if (const auto b = m.get("circuit_breaker")) {
    const MapReader breaker(*b);
    breaker.allow_only({"failures", "open_for"});
    models::CircuitBreakerConfig cb;
    if (const auto n = breaker.get("failures")) cb.failures = to_int(*n, 1);
    if (const auto d = breaker.get("open_for")) cb.open_for = to_duration(*d, true);
    c.circuit_breaker = cb;
  }
}

}  // namespace loader::sections
