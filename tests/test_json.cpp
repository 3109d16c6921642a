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
    void quotes_strings() { QCOMPARE(json_quote("a\"b\\\n"), std::string("\"a\\\"b\\\\\\n\"")); }
};

QTEST_APPLESS_MAIN(TestJson)
#include "test_json.moc"
