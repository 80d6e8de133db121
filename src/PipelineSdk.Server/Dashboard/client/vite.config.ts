import { defineConfig } from "vite";

// Built files go to dist/, which the server project embeds; no CDN, no run-time fetches but the server's API.
export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 1024,
  },
});
