import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// `npm run dev` forwards API, media and grpc-web calls to a gateway started by
// deploy/local/up (ANB_GATEWAY, default http://127.0.0.1:8080).
const gateway = process.env.ANB_GATEWAY ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react()],
  build: {
    // Hashed names under assets/ are what the gateway marks immutable.
    assetsDir: "assets",
    sourcemap: false,
  },
  server: {
    host: "127.0.0.1",
    proxy: {
      "/api": gateway,
      "/media": gateway,
      "/anb.votes.v1.VotesService": gateway,
    },
  },
});
