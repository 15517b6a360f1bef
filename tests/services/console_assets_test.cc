// The console's files as omsd embeds them (services/console/embed.cmake): the right content
// types, "/" as index.html, and no module or stylesheet referenced that was left out of the
// build's file list.
#include "services/console_assets.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>

namespace oms::services {
namespace {

TEST(ConsoleAssets, RootServesIndexHtml) {
  const ConsoleAsset* root = FindConsoleAsset("/");
  const ConsoleAsset* index = FindConsoleAsset("/index.html");
  ASSERT_NE(root, nullptr);
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(root->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(root->body, index->body);
  EXPECT_NE(root->body.find("<!doctype html>"), std::string_view::npos);
}

TEST(ConsoleAssets, ContentTypesFollowTheExtension) {
  EXPECT_EQ(FindConsoleAsset("/app.css")->content_type, "text/css; charset=utf-8");
  EXPECT_EQ(FindConsoleAsset("/app.js")->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(FindConsoleAsset("/icon.svg")->content_type, "image/svg+xml");
}

TEST(ConsoleAssets, UnknownPathsAreNotFound) {
  EXPECT_EQ(FindConsoleAsset("/nope.js"), nullptr);
  EXPECT_EQ(FindConsoleAsset(""), nullptr);
  EXPECT_EQ(FindConsoleAsset("app.js"), nullptr);
  EXPECT_EQ(FindConsoleAsset("/../app.js"), nullptr);
}

// A file missing from OMS_CONSOLE_FILES would only show as a 404 in a browser; here it fails
// the build's own tests.
TEST(ConsoleAssets, EveryReferencedFileIsEmbedded) {
  const std::regex reference(R"((?:from '\.|src="|href=")(/[a-z_]+\.(?:js|css|svg))['"])");
  for (const char* path :
       {"/", "/app.js", "/ui.js", "/queue.js", "/order.js", "/stock.js", "/returns.js"}) {
    const ConsoleAsset* asset = FindConsoleAsset(path);
    ASSERT_NE(asset, nullptr) << path;
    std::string body(asset->body);
    int found = 0;
    for (std::sregex_iterator it(body.begin(), body.end(), reference), end; it != end; ++it) {
      EXPECT_NE(FindConsoleAsset((*it)[1].str()), nullptr) << path << " refers to " << (*it)[1];
      ++found;
    }
    EXPECT_GT(found, 0) << path << " refers to no other file";
  }
}

}  // namespace
}  // namespace oms::services
