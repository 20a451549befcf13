# Baseline: the frontend Dockerfile of /work/shared/seed-pattern.md ("Docker Architecture Pattern"),
# fixed just enough to build and start. Every change from the pattern is marked FIX.
FROM node:20-alpine AS builder
WORKDIR /app
COPY package*.json ./
# FIX: was `npm ci --only=production`, which leaves out the devDependencies (vite, typescript)
# that `npm run build` needs, so the build stopped with "tsc: not found".
RUN npm ci
COPY . .
RUN npm run build

FROM nginx:alpine AS production
COPY --from=builder /app/dist /usr/share/nginx/html
# FIX (the file, not this line): the pattern copies an nginx.conf it does not show. The one used
# here (bench/baseline/nginx.conf) is the smallest that lets `USER nginx` start: pid and temp
# files in /tmp (the stock paths are root-only), a single server on port 80 with an SPA fallback.
COPY nginx.conf /etc/nginx/nginx.conf
EXPOSE 80
USER nginx
CMD ["nginx", "-g", "daemon off;"]
