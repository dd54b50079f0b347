// Package widgets holds Phoneset's reusable Fyne widgets: the avatar and
// cover cropper and the microphone level meter. They show what they are
// given and report what the user does; they hold no strings to translate,
// do no blocking work, and leave image maths to the photo package.
package widgets
