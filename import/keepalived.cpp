#include "import/keepalived.hpp"

#include <map>
#include <set>

#include <fmt/format.h>

#include "import/blocks.hpp"

namespace config_import {

namespace {

std::string joined(const std::vector<Word>& words) {
  std::string text;
  for (const auto& w : words) text += (text.empty() ? "" : " ") + w.text;
  return text;
}

const Word& argument(const Statement& s, std::string_view usage) {
  if (s.words.size() < 2) throw ImportError(s.words[0].at, fmt::format("'{}' expects {}", s.words[0].text, usage));
  return s.words[1];
}

void no_block(const Statement& s) {
  if (s.has_block) throw ImportError(s.block_at, fmt::format("'{}' takes no block", s.words[0].text));
}

void need_block(const Statement& s) {
  if (!s.has_block) {
    throw ImportError(s.words[0].at, fmt::format("'{}' expects a block in braces: {} NAME {{ ... }}", s.words[0].text,
                                                 s.words[0].text));
  }
}

class Reader {
 public:
  Reader(std::string file, Notes& notes) : notes_(notes) { result_.path = std::move(file); }

  KeepalivedFile read(const std::string& text) {
    for (const auto& s : parse_blocks(text, result_.path, BlockSyntax::kKeepalived)) top(s);
    // A track_script names a vrrp_script defined anywhere in the file.
    for (const auto& instance : result_.instances) {
      for (const auto& tracked : instance.track_scripts) {
        bool found = false;
        for (const auto& script : result_.scripts) found = found || script.name == tracked.name.text;
        if (!found) {
          throw ImportError(tracked.name.at, fmt::format("track_script: no vrrp_script named '{}'", tracked.name.text));
        }
      }
    }
    return std::move(result_);
  }

 private:
  void note(const Statement& s, std::string_view reason) {
    notes_.push_back({s.words[0].at, joined(s.words), std::string(reason)});
  }

  void top(const Statement& s) {
    const std::string& k = s.words[0].text;
    if (k == "global_defs") {
      need_block(s);
      for (const auto& item : s.block) global(item);
    } else if (k == "vrrp_script") {
      need_block(s);
      script(s);
    } else if (k == "vrrp_instance") {
      need_block(s);
      instance(s);
    } else if (k == "vrrp_sync_group") {
      note(s, "sync groups move instances together; with one instance per node there is nothing to synchronize, and "
              "with two (active-active) tiersim moves each address on its own");
    } else if (k == "virtual_server" || k == "virtual_server_group") {
      note(s, "LVS (IPVS) load balancing is not modelled; the balancer tier is HAProxy");
    } else if (k == "static_ipaddress" || k == "static_routes" || k == "static_rules" || k == "linkbeat_interfaces" ||
               k == "vrrp_track_process" || k == "vrrp_track_file" || k == "track_file" || k == "bfd_instance") {
      note(s, "not modelled");
    } else if (k == "include") {
      throw ImportError(s.words[0].at, "include: tiersim import reads one keepalived.conf per node; give the included "
                                       "file's contents in that file");
    } else {
      throw ImportError(s.words[0].at, fmt::format("unknown section '{}' (keepalived's are global_defs, vrrp_script, "
                                                   "vrrp_instance, vrrp_sync_group, virtual_server, ...)",
                                                   k));
    }
  }

  void global(const Statement& s) {
    const std::string& k = s.words[0].text;
    if (k == "vrrp_version") {
      no_block(s);
      const Word& value = argument(s, "2 or 3");
      if (value.text != "2" && value.text != "3") {
        throw ImportError(value.at, fmt::format("vrrp_version: expected 2 or 3, found \"{}\"", value.text));
      }
      result_.vrrp_version.set(value.text == "2" ? 2 : 3, value.at);
    } else if (k == "vrrp_garp_master_delay") {
      no_block(s);
      const Word& value = argument(s, "seconds");
      result_.garp_master_delay.set(parse_seconds(value, 1000 * sim::kSecond, k), value.at);
      note(s, "keepalived sends the first gratuitous ARPs at once on becoming MASTER; this delays only the repeat "
              "burst, so the scenario's arp_delay stays 0");
    } else {
      static const std::set<std::string_view> kInert = {
          "router_id", "notification_email", "notification_email_from", "smtp_server", "smtp_connect_timeout",
          "script_user", "enable_script_security", "max_auto_priority", "lvs_id", "vrrp_skip_check_adv_addr",
          "vrrp_strict", "enable_traps", "checker_log_all_failures", "dynamic_interfaces"};
      note(s, kInert.count(k) ? "process settings (names, mail, privileges) do not change VRRP timing"
                              : "this global setting is not modelled");
    }
  }

  void script(const Statement& s) {
    VrrpScript script;
    script.name = argument(s, "a name").text;
    script.at = s.words[0].at;
    for (const auto& script_defined : result_.scripts) {
      if (script_defined.name == script.name) {
        throw ImportError(s.words[1].at, fmt::format("vrrp_script '{}' is already defined at {}", script.name,
                                                     to_string(script_defined.at)));
      }
    }
    for (const auto& item : s.block) {
      no_block(item);
      const std::string& k = item.words[0].text;
      if (k == "script") {
        const Word& value = argument(item, "a command");
        script.script.set(value.text, value.at);
      } else if (k == "interval") {
        // keepalived 2.2 reads whole seconds from 1 to 4294 (and ignores anything else).
        const Word& value = argument(item, "whole seconds");
        const std::int64_t seconds = parse_integer(value, 4294, "vrrp_script interval");
        if (seconds < 1) throw ImportError(value.at, "vrrp_script interval: expected whole seconds from 1 to 4294");
        script.interval = seconds * sim::kSecond;
        script.interval_at = value.at;
      } else if (k == "weight") {
        const Word& value = argument(item, "a weight from -253 to 253");
        script.weight = static_cast<int>(parse_signed_integer(value, 253, k));
        script.weight_at = value.at;
        if (item.words.size() > 2) note(item, "'reverse' is not modelled");
      } else if (k == "fall" || k == "rise") {
        const Word& value = argument(item, "a count");
        // keepalived takes any count; the scenario's track_fall/track_rise stop at 1000 (docs/scenarios.md).
        const int n = static_cast<int>(parse_integer(value, 1000, k));
        if (n < 1) throw ImportError(value.at, fmt::format("{}: must be at least 1", k));
        (k == "fall" ? script.fall : script.rise) = n;
        (k == "fall" ? script.fall_at : script.rise_at) = value.at;
      } else if (k == "timeout" || k == "user" || k == "init_fail") {
        note(item, k == "init_fail" ? "a script that starts failed is not modelled"
                                    : "how the script runs is not modelled: it fails when HAProxy's process is dead");
      } else {
        throw ImportError(item.words[0].at, fmt::format("unknown vrrp_script keyword '{}'", k));
      }
    }
    if (!script.script) throw ImportError(s.words[0].at, fmt::format("vrrp_script '{}' has no 'script'", script.name));
    result_.scripts.push_back(std::move(script));
  }

  void instance(const Statement& s) {
    VrrpInstance instance;
    instance.name = argument(s, "a name").text;
    instance.at = s.words[0].at;
    const Statement* preempt_delay_item = nullptr;
    for (const auto& item : s.block) {
      const std::string& k = item.words[0].text;
      if (k == "virtual_ipaddress") {
        need_block(item);
        for (const auto& address : item.block) instance.virtual_addresses.push_back(address.words[0]);
        continue;
      }
      if (k == "track_script") {
        need_block(item);
        for (const auto& tracked : item.block) {
          TrackedScript entry{tracked.words[0], {}};
          if (tracked.words.size() >= 3 && tracked.words[1].text == "weight") {
            entry.weight.set(static_cast<int>(parse_signed_integer(tracked.words[2], 253, "weight")),
                             tracked.words[2].at);
          } else if (tracked.words.size() > 1) {
            throw ImportError(tracked.words[1].at, fmt::format("track_script: expected 'weight N' after the script "
                                                               "name, found \"{}\"",
                                                               tracked.words[1].text));
          }
          instance.track_scripts.push_back(std::move(entry));
        }
        continue;
      }
      if (k == "track_interface" || k == "unicast_peer" || k == "virtual_routes" || k == "virtual_rules" ||
          k == "authentication" || k == "virtual_ipaddress_excluded" || k == "track_process" || k == "track_file" ||
          k == "track_bfd") {
        note(item, k == "track_interface" ? "link failures of an interface are not modelled separately: a crashed "
                                            "host stops its adverts"
                                          : "not modelled");
        continue;
      }
      no_block(item);
      if (k == "state") {
        const Word& value = argument(item, "MASTER or BACKUP");
        if (value.text != "MASTER" && value.text != "BACKUP") {
          throw ImportError(value.at, fmt::format("state: expected MASTER or BACKUP, found \"{}\"", value.text));
        }
        instance.state.set(value.text, value.at);
      } else if (k == "virtual_router_id") {
        const Word& value = argument(item, "a number from 1 to 255");
        const int id = static_cast<int>(parse_integer(value, 255, k));
        if (id < 1) throw ImportError(value.at, "virtual_router_id: expected a number from 1 to 255, found 0");
        instance.virtual_router_id.set(id, value.at);
      } else if (k == "priority") {
        const Word& value = argument(item, "a number from 1 to 255");
        instance.priority = static_cast<int>(parse_integer(value, 255, k));
        if (instance.priority < 1) throw ImportError(value.at, "priority: expected a number from 1 to 255, found 0");
        instance.priority_at = value.at;
      } else if (k == "advert_int") {
        const Word& value = argument(item, "seconds");
        instance.advert_int = parse_seconds(value, 255 * sim::kSecond, k);
        if (instance.advert_int <= 0) throw ImportError(value.at, "advert_int: must be above 0");
        instance.advert_int_at = value.at;
      } else if (k == "nopreempt") {
        instance.nopreempt.set(true, item.words[0].at);
      } else if (k == "preempt") {
        instance.nopreempt.set(false, item.words[0].at);
      } else if (k == "preempt_delay") {
        const Word& value = argument(item, "seconds from 0 to 1000");
        instance.preempt_delay.set(parse_seconds(value, 1000 * sim::kSecond, k), value.at);
        preempt_delay_item = &item;
      } else if (k == "interface") {
        argument(item, "an interface name");
        note(item, "the interface does not change VRRP timing");
      } else {
        static const std::set<std::string_view> kInert = {"notify", "notify_master", "notify_backup", "notify_fault",
                                                          "notify_stop", "smtp_alert", "debug", "garp_master_delay",
                                                          "garp_master_refresh", "use_vmac", "dont_track_primary",
                                                          "mcast_src_ip", "unicast_src_ip", "native_ipv6",
                                                          "accept", "no_accept", "strict_mode"};
        note(item, kInert.count(k) ? "does not change when the address moves" : "not modelled");
      }
    }
    // keepalived clears preempt_delay on an instance that starts as MASTER.
    if (preempt_delay_item && instance.state && *instance.state == "MASTER") {
      note(*preempt_delay_item, "keepalived clears preempt_delay when the initial state is MASTER");
      instance.preempt_delay = {};
    }
    if (instance.virtual_addresses.empty()) {
      throw ImportError(s.words[0].at, fmt::format("vrrp_instance '{}' has no virtual_ipaddress: it moves nothing",
                                                   instance.name));
    }
    if (!instance.virtual_router_id) {
      throw ImportError(s.words[0].at, fmt::format("vrrp_instance '{}' has no virtual_router_id (keepalived requires "
                                                   "one)",
                                                   instance.name));
    }
    result_.instances.push_back(std::move(instance));
  }

  Notes& notes_;
  KeepalivedFile result_;
};

}  // namespace

KeepalivedFile read_keepalived_text(const std::string& text, const std::string& file, Notes& notes) {
  return Reader(file, notes).read(text);
}

KeepalivedFile read_keepalived(const std::filesystem::path& file, const Position& named_at, Notes& notes) {
  return read_keepalived_text(read_config_file(file, named_at), file.string(), notes);
}

}  // namespace config_import
