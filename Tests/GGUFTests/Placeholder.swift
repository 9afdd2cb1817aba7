// GGUF tests placeholder
