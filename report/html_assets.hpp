// The files inlined into every HTML report, embedded at build time by
// report/embed_assets.py (report/meson.build).
#pragma once

#include <string_view>

namespace report::assets {

extern const std::string_view kUplotJs;   // node_modules/uplot/dist/uPlot.iife.min.js
extern const std::string_view kUplotCss;  // node_modules/uplot/dist/uPlot.min.css
// Its MIT licence asks for the notice in every copy: each page has it in a comment.
extern const std::string_view kUplotLicense;  // node_modules/uplot/LICENSE
extern const std::string_view kPageJs;    // report/html/page.js
extern const std::string_view kPageCss;   // report/html/page.css

}  // namespace report::assets
