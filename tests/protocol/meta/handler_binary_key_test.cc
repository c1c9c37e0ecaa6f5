// The binary-key bit: 1.6.18 remembers on the item whether its key was stored through a base64
// (b) request, and mg's k flag and me print the key from that bit, while ms, md, ma and misses
// print it as the request wrote it. Each expected string is what a freshly started 1.6.18 sent
// for the same bytes.
#include <gtest/gtest.h>

#include "meta/handler_test_util.h"

namespace mnemo::meta {
namespace {

using test::MetaHandlerTest;

TEST_F(MetaHandlerTest, BinaryKeyIsRememberedByTheItem) {
  EXPECT_EQ(Run("ms Zm9vYmFy 2 b\r\nhi\r\nmg foobar k v\r\nmg Zm9vYmFy b k O1 s\r\nme foobar\r\n"
                "me Zm9vYmFy b\r\nmd foobar k O2\r\nma Zm9vYmFy b k\r\n"),
            "HD\r\nVA 2 kZm9vYmFy b\r\nhi\r\nHD kZm9vYmFy b O1 s2\r\n"
            "ME Zm9vYmFy exp=-1 la=0 cas=1 fetch=yes cls=1 size=67\r\n"
            "ME Zm9vYmFy exp=-1 la=0 cas=1 fetch=yes cls=1 size=67\r\n"
            "HD kfoobar O2\r\nNF kZm9vYmFy b\r\n");
}

TEST_F(MetaHandlerTest, EveryStoreTakesTheRequestsEncoding) {
  EXPECT_EQ(Run("ms Zm9vYmFy 1 b\r\nx\r\nms foobar 1 k c\r\ny\r\nmg Zm9vYmFy b k c\r\n"
                "me Zm9vYmFy b\r\nms Zm9vYmFy 1 b k c\r\nz\r\nmg foobar k c\r\nme foobar\r\n"),
            "HD\r\nHD kfoobar c2\r\nHD kfoobar c2\r\n"
            "ME foobar exp=-1 la=0 cas=2 fetch=yes cls=1 size=66\r\n"
            "HD kZm9vYmFy b c3\r\nHD kZm9vYmFy b c3\r\n"
            "ME Zm9vYmFy exp=-1 la=0 cas=3 fetch=yes cls=1 size=66\r\n");
}

// Stubs made by mg N and counters made by ma N are plain whatever the request said; ma still
// answers with the request's encoding.
TEST_F(MetaHandlerTest, VivifiedItemsHaveNoBinaryKey) {
  EXPECT_EQ(Run("mg Yg== b N30 k t\r\nmg b k\r\nma Yw== b N0 J5 k v\r\nmg c k v\r\n"),
            "HD kb t30 W\r\nHD kb Z\r\nVA 1 kYw== b\r\n5\r\nVA 1 kc\r\n5\r\n");
}

TEST_F(MetaHandlerTest, InPlaceChangesKeepTheBinaryKey) {
  EXPECT_EQ(Run("ms YQ== 1 b\r\n1\r\nma a\r\nmg a k\r\nmd a I\r\nmg a k\r\nmg a k T100 t\r\n"),
            "HD\r\nHD\r\nHD kYQ== b\r\nHD\r\nHD kYQ== b X W\r\nHD kYQ== b t100 Z X\r\n");
}

// A counter that grows and an append or prepend build a new item, which 1.6.18 does not mark.
TEST_F(MetaHandlerTest, RebuiltItemsLoseTheBinaryKey) {
  EXPECT_EQ(Run("ms YQ== 1 b\r\n9\r\nma a\r\nmg a k v\r\nms YQ== 1 b\r\nx\r\nms YQ== 1 b MA\r\n"
                "y\r\nmg a k v\r\nms YQ== 1 b\r\nx\r\nms a 1 MP\r\ny\r\nmg a k v\r\n"),
            "HD\r\nHD\r\nVA 2 ka\r\n10\r\nHD\r\nHD\r\nVA 2 ka\r\nxy\r\nHD\r\nHD\r\n"
            "VA 2 ka\r\nyx\r\n");
}

// A stale store (I with an older CAS) is a store of the request's item; a failed add changes
// nothing.
TEST_F(MetaHandlerTest, StaleStoreTakesTheBinaryKeyAndFailedAddKeepsIt) {
  EXPECT_EQ(Run("ms a 1\r\nx\r\nms a 1\r\ny\r\nms YQ== 1 b C1 I\r\nw\r\nmg a k v\r\n"
                "ms YQ== 1 b ME\r\nq\r\nmg a k\r\nmd a\r\nms YQ== 1 b ME\r\nq\r\nmg a k\r\n"),
            "HD\r\nHD\r\nHD\r\nVA 1 kYQ== b X W\r\nw\r\nNS\r\nHD kYQ== b Z X\r\nHD\r\nHD\r\n"
            "HD kYQ== b\r\n");
}

}  // namespace
}  // namespace mnemo::meta
