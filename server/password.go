package server

// maxPasswordBytes bounds what is fed to argon2id.
const maxPasswordBytes = 1024
