// Package speech speaks the kiosk's prompts: an Engine renders a reading to
// WAV (espeak-ng here; Open JTalk or another can stand behind the same
// interface), a Speaker keeps a render cache per language, filled ahead of
// time, so speech starts as the screen appears, and a Player sends the
// sound to the loudspeaker. Speaker is app/guidance's Speaker port.
package speech

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os/exec"
	"strconv"

	"github.com/uketsuke/uketsuke/i18n"
)

// Engine turns text into speech. Voice names the engine's voice for a
// language (false: the engine cannot speak it); Render returns a WAV file's
// bytes. The text never goes on a command line (ps shows argv): an engine
// that runs a program hands it the text on standard input.
type Engine interface {
	Voice(lang i18n.Lang) (voice string, ok bool)
	Render(ctx context.Context, voice, text string) ([]byte, error)
}

// Errors from engines and speakers.
var (
	ErrNoVoice  = errors.New("speech: no voice for this language")
	ErrNoText   = errors.New("speech: the message cannot be spoken in this language")
	ErrRender   = errors.New("speech: rendering failed")
	ErrNotWAV   = errors.New("speech: the engine did not return a WAV file")
	ErrNoEngine = errors.New("speech: the speech program is not installed")
)

// EspeakVoices are espeak-ng's voices for the kiosk's languages, checked
// with `espeak-ng --voices` (espeak-ng 1.51, Debian 12). Tagalog, Khmer and
// Mongolian have none. Japanese and Chinese are spoken from the
// catalogue's kana and pinyin readings.
var EspeakVoices = map[i18n.Lang]string{
	i18n.Japanese:           "ja",
	i18n.EasyJapanese:       "ja",
	i18n.English:            "en-us",
	i18n.ChineseSimplified:  "cmn-latn-pinyin",
	i18n.ChineseTraditional: "cmn-latn-pinyin",
	i18n.Korean:             "ko",
	i18n.Vietnamese:         "vi",
	i18n.Portuguese:         "pt-br",
	i18n.Spanish:            "es-419",
	i18n.Indonesian:         "id",
	i18n.Nepali:             "ne",
	i18n.Thai:               "th",
	i18n.Burmese:            "my",
}

// EspeakDoubtful are voices whose phonemes (espeak-ng -q -x) showed them
// misreading the catalogue's own sentences, so a patient would hear
// something other than the screen says: Thai (vowels written before their
// consonant land in the wrong place, 「ไม่ถูกต้อง」 comes out as "aim
// thuukat ang") and Burmese (syllables dropped and repeated). They speak
// only when a clinic asks for them (Espeak.Doubtful) after a native
// speaker has listened; docs/speech.md.
var EspeakDoubtful = map[i18n.Lang]bool{i18n.Thai: true, i18n.Burmese: true}

// Espeak runs espeak-ng once per rendering.
type Espeak struct {
	Binary   string               // "espeak-ng" when empty
	Rate     int                  // words per minute; 0: 150, a little slower than espeak-ng's 175
	Voices   map[i18n.Lang]string // nil: EspeakVoices
	Doubtful bool                 // speak the EspeakDoubtful languages too
}

// Voice returns espeak-ng's voice for lang.
func (e Espeak) Voice(lang i18n.Lang) (string, bool) {
	voices := e.Voices
	if voices == nil {
		voices = EspeakVoices
	}
	v, ok := voices[lang]
	if EspeakDoubtful[lang] && !e.Doubtful {
		return "", false
	}
	return v, ok
}

// Check reports ErrNoEngine when espeak-ng is not installed.
func (e Espeak) Check() error {
	if _, err := exec.LookPath(e.binary()); err != nil {
		return fmt.Errorf("%w: %s (Debian package espeak-ng)", ErrNoEngine, e.binary())
	}
	return nil
}

func (e Espeak) binary() string {
	if e.Binary == "" {
		return "espeak-ng"
	}
	return e.Binary
}

// Render speaks text with voice into a WAV file held in memory.
func (e Espeak) Render(ctx context.Context, voice, text string) ([]byte, error) {
	rate := e.Rate
	if rate == 0 {
		rate = 150
	}
	// -b 1: the input is UTF-8; --stdout: the WAV on standard output.
	cmd := exec.CommandContext(ctx, e.binary(), "-b", "1", "-v", voice, "-s", strconv.Itoa(rate), "--stdout")
	cmd.Stdin = bytes.NewReader([]byte(text))
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w: espeak-ng -v %s: %v: %s", ErrRender, voice, err, firstLine(stderr.Bytes()))
	}
	return fixWAVSizes(out.Bytes())
}

func firstLine(b []byte) string {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// fixWAVSizes writes the real lengths into a WAV header. A program writing
// to a pipe cannot seek back to fill them in (espeak-ng leaves them
// unknown), and players and sox then take the sound for empty or endless.
func fixWAVSizes(wav []byte) ([]byte, error) {
	if len(wav) < 12 || string(wav[0:4]) != "RIFF" || string(wav[8:12]) != "WAVE" {
		return nil, ErrNotWAV
	}
	binary.LittleEndian.PutUint32(wav[4:8], uint32(len(wav)-8))
	for pos := 12; pos+8 <= len(wav); {
		id, size := string(wav[pos:pos+4]), int(binary.LittleEndian.Uint32(wav[pos+4:pos+8]))
		if id == "data" {
			binary.LittleEndian.PutUint32(wav[pos+4:pos+8], uint32(len(wav)-pos-8))
			return wav, nil
		}
		pos += 8 + size + size%2
	}
	return nil, fmt.Errorf("%w: no data chunk", ErrNotWAV)
}
