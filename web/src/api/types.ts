// Shapes of the gateway's REST answers (DESIGN §3; /api/openapi.json is the reference).

export type VideoStatus = "uploaded" | "processing" | "processed" | "failed";

export interface VideoSummary {
  video_id: string;
  title: string;
  status: VideoStatus;
  is_public: boolean;
  uploaded_at: string;
  processed_at: string | null;
  processed_url: string | null;
}

export interface VideoDetail extends VideoSummary {
  original_url: string | null;
  poster_url: string | null;
  votes: number;
  failure_reason?: string | null;
}

export interface PublicVideo {
  video_id: string;
  title: string;
  player: { first_name: string; last_name: string; city: string; country: string };
  processed_at: string | null;
  processed_url: string | null;
  poster_url: string | null;
  votes: number;
}

export interface RankingRow {
  position: number;
  username: string;
  city: string;
  votes: number;
  user_id: string;
}

export interface Profile {
  id: string;
  first_name: string;
  last_name: string;
  email: string;
  city: string;
  country: string;
  created_at: string;
}

export interface LoggedIn {
  access_token: string;
  token_type: string;
  expires_in: number;
}

export interface Uploaded {
  message: string;
  task_id: string;
  video_id: string;
}
