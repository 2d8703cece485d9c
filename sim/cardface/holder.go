package cardface

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/uketsuke/uketsuke/sim/profile"
)

var (
	// families and givens pair each name with its reading, which the next
	// design prints above the name (and in romaji under it).
	families = []reading{{"佐藤", "サトウ"}, {"鈴木", "スズキ"}, {"高橋", "タカハシ"}, {"田中", "タナカ"},
		{"伊藤", "イトウ"}, {"渡辺", "ワタナベ"}, {"山本", "ヤマモト"}, {"中村", "ナカムラ"}, {"小林", "コバヤシ"},
		{"加藤", "カトウ"}, {"吉田", "ヨシダ"}, {"山田", "ヤマダ"}, {"佐々木", "ササキ"}, {"山口", "ヤマグチ"},
		{"松本", "マツモト"}, {"井上", "イノウエ"}, {"木村", "キムラ"}, {"林", "ハヤシ"}, {"斎藤", "サイトウ"},
		{"清水", "シミズ"}, {"個人番号", "コジンバンゴウ"}}
	givens = []reading{{"花子", "ハナコ"}, {"太郎", "タロウ"}, {"一郎", "イチロウ"}, {"陽菜", "ヒナ"}, {"蓮", "レン"},
		{"結衣", "ユイ"}, {"大翔", "ヒロト"}, {"美咲", "ミサキ"}, {"健太", "ケンタ"}, {"さくら", "サクラ"},
		{"翔太", "ショウタ"}, {"葵", "アオイ"}, {"悠真", "ユウマ"}, {"由美子", "ユミコ"}, {"誠", "マコト"},
		{"智子", "トモコ"}, {"和夫", "カズオ"}, {"ひまり", "ヒマリ"}, {"湊", "ミナト"}, {"恵美", "エミ"}}
	foreignNames = []string{"SMITH JOHN", "NGUYEN VAN AN", "SANTOS MARIA", "KIM MINJUN",
		"WANG LEI", "SILVA ANA", "GARCIA JOSE", "THAPA RAM"}
	places = []string{"東京都千代田区霞が関", "大阪府大阪市北区梅田", "北海道札幌市中央区北一条西",
		"福岡県福岡市博多区博多駅前", "愛知県名古屋市中区三の丸", "沖縄県那覇市泉崎",
		"宮城県仙台市青葉区本町", "広島県広島市中区基町", "京都府京都市上京区下立売通新町西入薮ノ内町"}
	kanjiNumbers = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九"}
)

// Era ranges the generator samples birth dates from, so every era shows up
// in a benchmark: the oldest living holders were born in 明治.
var birthFrom, birthTo = time.Date(1905, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)

// RandomHolder returns a synthetic holder drawn from seed: a birth date from
// 1905 to 2025 (weighted so era boundaries and 元年 are common), a card
// valid to a birthday 5 or 10 years after issue, a random security code, and
// one holder in eight a foreign resident with Gregorian dates. Nationals get
// a katakana reading (Kana).
func RandomHolder(seed int64) *profile.Profile {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x686f6c646572))
	birth := randomBirth(rng)
	fam, giv := families[rng.IntN(len(families))], givens[rng.IntN(len(givens))]
	p := &profile.Profile{
		Name:         fam.name + "　" + giv.name,
		Kana:         fam.kana + "　" + giv.kana,
		Address:      fmt.Sprintf("%s%s丁目%d番%d号", places[rng.IntN(len(places))], kanjiNumbers[rng.IntN(9)], 1+rng.IntN(30), 1+rng.IntN(20)),
		Birth:        birth.Format(time.DateOnly),
		Sex:          []string{"1", "2"}[rng.IntN(2)],
		SecurityCode: fmt.Sprintf("%04d", rng.IntN(10000)),
		Foreign:      rng.IntN(8) == 0,
		Seed:         seed,
	}
	if p.Foreign {
		p.Name, p.Kana = foreignNames[rng.IntN(len(foreignNames))], ""
		p.Expiry = time.Date(2026+rng.IntN(10), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		if birth.Before(time.Date(1926, 1, 1, 0, 0, 0, 0, time.UTC)) {
			p.Birth = birth.AddDate(30, 0, 0).Format(time.DateOnly)
		}
		return p
	}
	p.Expiry = expiryOnBirthday(birth, rng).Format(time.DateOnly)
	return p
}

func randomBirth(rng *rand.Rand) time.Time {
	boundaries := []time.Time{
		time.Date(1912, 7, 30, 0, 0, 0, 0, time.UTC), time.Date(1926, 12, 25, 0, 0, 0, 0, time.UTC),
		time.Date(1989, 1, 8, 0, 0, 0, 0, time.UTC), time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC),
	}
	if rng.IntN(5) == 0 {
		// Within a few weeks of an era change: 元年 and the last year of an era.
		b := boundaries[rng.IntN(len(boundaries))]
		return b.AddDate(0, 0, rng.IntN(60)-30)
	}
	span := birthTo.Sub(birthFrom)
	return birthFrom.Add(time.Duration(rng.Int64N(int64(span/(24*time.Hour)))) * 24 * time.Hour)
}

// expiryOnBirthday: cards are valid to the holder's birthday in the tenth
// year after issue (fifth for minors); 2月29日 births use 2月28日 off leap years.
func expiryOnBirthday(birth time.Time, rng *rand.Rand) time.Time {
	issue := max(2016+rng.IntN(10), birth.Year())
	years := 10
	if issue-birth.Year() < 18 {
		years = 5
	}
	y := issue + years
	m, d := birth.Month(), birth.Day()
	if m == time.February && d == 29 && !isLeap(y) {
		d = 28
	}
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }
