package cardface

import (
	"hash/fnv"
	"strings"

	"github.com/uketsuke/uketsuke/sim/profile"
)

// reading is a name part and its katakana.
type reading struct{ name, kana string }

// readingOf gives the katakana reading and romaji of a national's name for
// the next design: the profile's Kana when set, else the readings table, else
// a stand-in picked from the name's hash (synthetic holders only need a
// plausible line, not the right one). Foreign residents' names are already in
// Latin letters and get neither.
func readingOf(p *profile.Profile) (kana, romaji string) {
	if p.Foreign {
		return "", ""
	}
	kana = p.Kana
	if kana == "" {
		fam, giv, _ := strings.Cut(p.Name, "　")
		kana = lookupKana(fam, families) + "　" + lookupKana(giv, givens)
	}
	var parts []string
	for _, k := range strings.Fields(strings.ReplaceAll(kana, "　", " ")) {
		parts = append(parts, kanaToRomaji(k))
	}
	return kana, strings.Join(parts, " ")
}

func lookupKana(part string, table []reading) string {
	for _, r := range table {
		if r.name == part {
			return r.kana
		}
	}
	h := fnv.New32a()
	h.Write([]byte(part))
	return table[h.Sum32()%uint32(len(table))].kana
}

// kanaSyllables maps katakana to Hepburn romaji; digraphs are tried first.
var kanaSyllables = map[string]string{
	"ア": "A", "イ": "I", "ウ": "U", "エ": "E", "オ": "O",
	"カ": "KA", "キ": "KI", "ク": "KU", "ケ": "KE", "コ": "KO",
	"ガ": "GA", "ギ": "GI", "グ": "GU", "ゲ": "GE", "ゴ": "GO",
	"サ": "SA", "シ": "SHI", "ス": "SU", "セ": "SE", "ソ": "SO",
	"ザ": "ZA", "ジ": "JI", "ズ": "ZU", "ゼ": "ZE", "ゾ": "ZO",
	"タ": "TA", "チ": "CHI", "ツ": "TSU", "テ": "TE", "ト": "TO",
	"ダ": "DA", "ヂ": "JI", "ヅ": "ZU", "デ": "DE", "ド": "DO",
	"ナ": "NA", "ニ": "NI", "ヌ": "NU", "ネ": "NE", "ノ": "NO",
	"ハ": "HA", "ヒ": "HI", "フ": "FU", "ヘ": "HE", "ホ": "HO",
	"バ": "BA", "ビ": "BI", "ブ": "BU", "ベ": "BE", "ボ": "BO",
	"パ": "PA", "ピ": "PI", "プ": "PU", "ペ": "PE", "ポ": "PO",
	"マ": "MA", "ミ": "MI", "ム": "MU", "メ": "ME", "モ": "MO",
	"ヤ": "YA", "ユ": "YU", "ヨ": "YO",
	"ラ": "RA", "リ": "RI", "ル": "RU", "レ": "RE", "ロ": "RO",
	"ワ": "WA", "ヲ": "O", "ン": "N",
	"キャ": "KYA", "キュ": "KYU", "キョ": "KYO", "ギャ": "GYA", "ギュ": "GYU", "ギョ": "GYO",
	"シャ": "SHA", "シュ": "SHU", "ショ": "SHO", "ジャ": "JA", "ジュ": "JU", "ジョ": "JO",
	"チャ": "CHA", "チュ": "CHU", "チョ": "CHO", "ニャ": "NYA", "ニュ": "NYU", "ニョ": "NYO",
	"ヒャ": "HYA", "ヒュ": "HYU", "ヒョ": "HYO", "ビャ": "BYA", "ビュ": "BYU", "ビョ": "BYO",
	"ピャ": "PYA", "ピュ": "PYU", "ピョ": "PYO", "ミャ": "MYA", "ミュ": "MYU", "ミョ": "MYO",
	"リャ": "RYA", "リュ": "RYU", "リョ": "RYO",
}

// kanaToRomaji spells katakana as passports do: long vowels dropped (サトウ
// SATO, ユウマ YUMA, but イノウエ INOUE), ン as M before B, M and P, ッ as a
// doubled consonant (TCH before CH). Unknown characters are skipped.
func kanaToRomaji(kana string) string {
	rs := []rune(kana)
	var syl []string
	double := false
	for i := 0; i < len(rs); i++ {
		if rs[i] == 'ッ' {
			double = true
			continue
		}
		if rs[i] == 'ー' {
			continue
		}
		s, ok := "", false
		if i+1 < len(rs) {
			s, ok = kanaSyllables[string(rs[i:i+2])]
			if ok {
				i++
			}
		}
		if !ok {
			if s, ok = kanaSyllables[string(rs[i])]; !ok {
				continue
			}
		}
		if double {
			if strings.HasPrefix(s, "CH") {
				s = "T" + s
			} else {
				s = s[:1] + s
			}
			double = false
		}
		syl = append(syl, s)
	}
	var b strings.Builder
	for i, s := range syl {
		prev, next := "", ""
		if i > 0 {
			prev = syl[i-1]
		}
		if i+1 < len(syl) {
			next = syl[i+1]
		}
		vowelNext := next != "" && strings.ContainsAny(next[:1], "AIUEO")
		long := (s == "U" && (strings.HasSuffix(prev, "O") || strings.HasSuffix(prev, "U"))) ||
			(s == "O" && strings.HasSuffix(prev, "O"))
		if long && !vowelNext {
			continue
		}
		if s == "N" && next != "" && strings.ContainsAny(next[:1], "BMP") {
			s = "M"
		}
		b.WriteString(s)
	}
	return b.String()
}
