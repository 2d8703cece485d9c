package i18n

import (
	"errors"
	"io/fs"
	"testing"
	"testing/fstest"
)

func TestCheckReading(t *testing.T) {
	for _, c := range []struct {
		kind ReadingKind
		text string
		ok   bool
	}{
		{ReadKana, "カードを おいて ください。", true},
		{ReadKana, "カードを置いてください。", false}, // kanji
		{ReadKana, "あと 1かいです。", false},    // a digit: say いっかい
		{ReadKana, "まって ください…", false},
		{ReadKana, "のこり {count}かい", false},
		{ReadPinyin, "qing3 xuan3 ze2, lv4 nü3 de5?", true},
		{ReadPinyin, "qing xuan3", false},    // no tone
		{ReadPinyin, "qing3 xuan6", false},   // no such tone
		{ReadPinyin, "请 qing3", false},       // a character
		{ReadPinyin, "hello3 world4", false}, // not syllables
		{ReadPinyin, "  ", false},
		{ReadAsWritten, "Place your card.", true},
	} {
		err := CheckReading(c.kind, c.text)
		if (err == nil) != c.ok {
			t.Errorf("CheckReading(%d, %q) = %v, want ok=%v", c.kind, c.text, err, c.ok)
		}
	}
}

// withReading is the embedded catalogue with one reading file replaced.
func withReading(t *testing.T, lang Lang, body string) fs.FS {
	t.Helper()
	fsys := fstest.MapFS{}
	err := fs.WalkDir(embedded, "messages", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(embedded, p)
		fsys[p] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	fsys[readingFile(lang)] = &fstest.MapFile{Data: []byte(body)}
	return fsys
}

func TestLoadRefusesBadReadings(t *testing.T) {
	for _, c := range []struct {
		lang Lang
		body string
		want error
	}{
		{Japanese, `{"place_card.title": "マイナンバーカードを置いてください"}`, ErrReading},
		{ChineseSimplified, `{"place_card.title": "请放置"}`, ErrReading},
		{Japanese, `{"no.such.key": "かな"}`, ErrUnknownKey},
		{English, `{"place_card.title": "place"}`, ErrReading}, // English is read as written
		{Japanese, `{"place_card.title": 3}`, ErrSyntax},
	} {
		if _, err := load(withReading(t, c.lang, c.body)); !errors.Is(err, c.want) {
			t.Errorf("%s %s: err %v, want %v", c.lang, c.body, err, c.want)
		}
	}
}

func TestReadingFallsBackToKanaText(t *testing.T) {
	c := MustLoad()
	// ja-easy's own text is kana: it is its reading.
	if got, ok := c.Reading(EasyJapanese, FaceGuideHoldStill); !ok || got != c.T(EasyJapanese, FaceGuideHoldStill) {
		t.Errorf("ja-easy hold still: %q %v", got, ok)
	}
	// ja's text has kanji: the reading file speaks for it.
	if got, ok := c.Reading(Japanese, PlaceCardTitle); !ok || CheckReading(ReadKana, got) != nil {
		t.Errorf("ja place card: %q %v", got, ok)
	}
	if _, ok := c.Reading(English, PINTriesLeft); ok {
		t.Error("a message with {count} has a reading: spoken text is never formatted")
	}
}

func TestOverrideDropsTheBuiltInReading(t *testing.T) {
	c, err := MustLoad().WithOverrides(map[Lang]map[Key]string{
		Japanese: {PlaceCardTitle: "カードを置いてね"},
		English:  {PlaceCardTitle: "Put your card down"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := c.Reading(Japanese, PlaceCardTitle); ok {
		t.Errorf("overridden ja text still read as the built-in reading %q", got)
	}
	if got, _ := c.Reading(English, PlaceCardTitle); got != "Put your card down" {
		t.Errorf("English override read as %q", got)
	}
	if _, ok := MustLoad().Reading(Japanese, PlaceCardTitle); !ok {
		t.Error("the override changed the original catalogue")
	}
}
