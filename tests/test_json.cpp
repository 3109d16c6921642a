// The JSON reader behind safetensors headers and config.json.
#include "json.h"

#include <QtTest>

using namespace vitscope;

class TestJson : public QObject {
    Q_OBJECT
private slots:
    void parses_values() {
        JsonValue v = parse_json(" {\"a\": [1, -2.5e1, true, false, null], \"s\": \"x\\\"\\u00e9\\n\", \"o\": {}} ");
        QVERIFY(v.is_object());
        const JsonValue* a = v.find("a");
        QVERIFY(a && a->is_array());
        QCOMPARE(a->items().size(), size_t(5));
        QCOMPARE(a->items()[0].as_number(), 1.0);
        QCOMPARE(a->items()[1].as_number(), -25.0);
        QVERIFY(a->items()[2].as_bool());
        QVERIFY(a->items()[4].is_null());
        QCOMPARE(v.string_or("s", ""), std::string("x\"\xc3\xa9\n"));
        QVERIFY(v.find("o")->is_object());
        QVERIFY(v.find("missing") == nullptr);
        QCOMPARE(v.number_or("missing", 7.0), 7.0);
    }
    void errors_name_the_position_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("trailing") << "{} x" << "unexpected trailing characters at byte 3";
        QTest::newRow("unterminated") << "{\"a\": \"b" << "unterminated string at byte 8";
        QTest::newRow("missing colon") << "{\"a\" 1}" << "expected ':' at byte 5";
        QTest::newRow("bad literal") << "[tru]" << "invalid literal at byte 1";
        QTest::newRow("empty") << "" << "unexpected end of text at byte 0";
        // Numbers a double cannot hold are refused, not turned into infinity.
        QTest::newRow("infinite") << "{\"o\": [0, 1e999]}" << "number out of range at byte 10";
        QTest::newRow("negative infinite") << "-2e400" << "number out of range at byte 0";
        QTest::newRow("bad surrogate") << "\"\\ud800\\u0041\"" << "invalid surrogate pair at byte 13";
    }
    void errors_name_the_position() {
        QFETCH(QString, text);
        QFETCH(QString, message);
        try {
            parse_json(text.toStdString());
            QFAIL("no exception");
        } catch (const std::runtime_error& e) {
            QCOMPARE(QString(e.what()), message);
        }
    }
    void bounded_in_values() {
        QCOMPARE(parse_json("[0,0]", 3).items().size(), size_t(2));
        try {
            parse_json("[0,0,0]", 3);
            QFAIL("no exception");
        } catch (const std::runtime_error& e) {
            QCOMPARE(QString(e.what()), QString("more than 3 values at byte 5"));
        }
        // The default bound: a million values, whatever their bytes.
        std::string many = "[";
        for (size_t i = 0; i < kJsonMaxValues; ++i) many += "0,";
        many += "0]";
        try {
            parse_json(many);
            QFAIL("no exception");
        } catch (const std::runtime_error& e) {
            QCOMPARE(QString(e.what()), QString("more than 1000000 values at byte 1999999"));
        }
    }
    void exact_integers() {
        const JsonValue v = parse_json("[3, -4, 2.5, 9007199254740992, 9007199254740994, 2e19, \"7\"]");
        const auto& i = v.items();
        QCOMPARE(i[0].as_exact_integer().value(), int64_t(3));
        QCOMPARE(i[1].as_exact_integer().value(), int64_t(-4));
        QVERIFY(!i[2].as_exact_integer());
        QCOMPARE(i[3].as_exact_integer().value(), int64_t(9007199254740992));
        QVERIFY(!i[4].as_exact_integer());
        QVERIFY(!i[5].as_exact_integer());
        QVERIFY(!i[6].as_exact_integer());
    }
    void quotes_strings() { QCOMPARE(json_quote("a\"b\\\n"), std::string("\"a\\\"b\\\\\\n\"")); }
};

QTEST_APPLESS_MAIN(TestJson)
#include "test_json.moc"
