package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/i18n"
)

// Voice is the voice guidance (app/guidance.Narrator): the shell tells it
// every screen it draws and the language the patient hears; it decides
// what to say and when. Calls come on Fyne's goroutine and return at once.
type Voice interface {
	// Show: the patient's screen now shows v; lang is the language heard.
	Show(lang i18n.Lang, v session.View)
	// Repeat says the current screen again (the repeat key).
	Repeat()
	// Hush stops speaking: a staff page covers the patient's screen.
	Hush()
	// Available: lang has a voice.
	Available(lang i18n.Lang) bool
}

// narrate tells the voice guidance what the screen shows now.
func (s *Shell) narrate() {
	if s.cfg.Voice == nil {
		return
	}
	if s.page.staff() {
		s.cfg.Voice.Hush()
		return
	}
	s.cfg.Voice.Show(s.heardLang(), s.view)
}

// heardLang is the language the patient hears: the screen's, or Japanese
// or English when the screen's has no voice and the patient chose one.
func (s *Shell) heardLang() i18n.Lang {
	if s.voiceLang != "" && !s.cfg.Voice.Available(s.opts.Lang) {
		return s.voiceLang
	}
	return s.opts.Lang
}

// canHear: voice guidance is on and speaks what the patient hears.
func (s *Shell) canHear() bool {
	return s.cfg.Voice != nil && s.cfg.Voice.Available(s.heardLang())
}

// repeatChip is the top bar's "listen again" button, where there is
// something to hear.
func (s *Shell) repeatChip() fyne.CanvasObject {
	if !s.canHear() {
		return nil
	}
	return s.chip("voice-repeat", s.tr().T(i18n.VoiceRepeat), false, s.repeatVoice)
}

func (s *Shell) repeatVoice() {
	if s.canHear() && !s.page.staff() {
		s.cfg.Voice.Repeat()
	}
}

// voiceLine says, under the top bar, that the screen's language has no
// voice, and offers Japanese or English voice instead (the screen keeps
// its language). It is on the screens where the patient chooses how to go
// on (idle and method; the language list returns to them), so the PIN pad,
// the face preview and the list keep their room; the choice lasts the
// session. Nil
// where the language has a voice or guidance is off.
func (s *Shell) voiceLine() fyne.CanvasObject {
	if s.cfg.Voice == nil || s.cfg.Voice.Available(s.opts.Lang) {
		return nil
	}
	choosing := s.page == pageSession && (s.view.State == session.StateIdle || s.view.State == session.StateMethod)
	if !choosing {
		return nil
	}
	t := s.tr()
	text := canvas.NewText(t.T(i18n.VoiceUnavailable), fynetheme.Color(fynetheme.ColorNameForeground))
	text.TextSize = chipTextSize
	pick := func(name string, l i18n.Lang, label i18n.Key) fyne.CanvasObject {
		return s.chip(name, t.T(label), s.voiceLang == l, func() {
			if s.voiceLang == l {
				s.voiceLang = ""
			} else {
				s.voiceLang = l
			}
			s.render()
		})
	}
	return container.NewPadded(container.NewHBox(container.NewCenter(text),
		pick("voice-ja", i18n.Japanese, i18n.VoiceJapanese), pick("voice-en", i18n.English, i18n.VoiceEnglish)))
}
