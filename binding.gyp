{
  "targets": [
    {
      "target_name": "evident_native",
      "sources": ["native/merkle.c"],
      "cflags": ["-O2", "-Wall"]
    }
  ]
}
